//! The declarative configuration file (`OTEL_CONFIG_FILE`, schema
//! opentelemetry-configuration v1.0.0 and v1.1.0): read, substituted and
//! turned into [`Settings`], which the one resolver then validates. When a
//! file is used, no other `OTEL_*` variable applies except through
//! substitution in the file (the specification's rule).

mod schema;
mod substitute;
mod tree;

pub(crate) use schema::KIND_NAMES;

use super::{Env, Settings};
use crate::error::{Error, Result};
use std::path::PathBuf;

/// The variable naming the file.
pub(crate) const CONFIG_FILE_VAR: &str = "OTEL_CONFIG_FILE";

/// Where configuration text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    Path(PathBuf),
    /// YAML text given in code; messages call it `<yaml>`.
    Yaml(String),
}

/// The file to use: the one set in code, else `OTEL_CONFIG_FILE`.
pub(crate) fn source(settings: &Settings, env: &dyn Env) -> Option<ConfigSource> {
    settings
        .config_file
        .clone()
        .or_else(|| env.get(CONFIG_FILE_VAR).map(|p| ConfigSource::Path(p.into())))
}

/// Reads the file into settings. `code` supplies what only code can set
/// (the in-memory reader for tests).
pub(crate) fn load(source: &ConfigSource, env: &dyn Env, code: &Settings) -> Result<Settings> {
    let (name, text) = match source {
        ConfigSource::Path(p) => {
            let name = p.display().to_string();
            let cannot = |e: &dyn std::fmt::Display| {
                Error::config(CONFIG_FILE_VAR, format!("cannot read `{name}`: {e}"))
            };
            let bytes = super::resolve::read_bounded(p).map_err(|e| cannot(&e))?;
            let text = String::from_utf8(bytes).map_err(|_| cannot(&"not UTF-8 text"))?;
            (name, text)
        }
        ConfigSource::Yaml(text) => ("<yaml>".to_owned(), text.clone()),
    };
    let root = tree::load(&text, env)
        .map_err(|(line, msg)| Error::config(&format!("{name}:{line}"), msg))?;
    let mut settings = schema::settings(&name, &root)?;
    settings.in_memory_reader = code.in_memory_reader;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{resolve, ExporterKind, MapEnv, Protocol, ReaderExporter};
    use crate::error::status;

    fn from_yaml(yaml: &str, env: &MapEnv) -> Result<crate::config::Resolved> {
        let s =
            Settings { config_file: Some(ConfigSource::Yaml(yaml.into())), ..Settings::default() };
        resolve(&s, env)
    }

    fn prometheus_options(r: &crate::config::Resolved) -> crate::config::PrometheusOptions {
        r.readers
            .iter()
            .find_map(|reader| match &reader.exporter {
                ReaderExporter::Prometheus { options, .. } => Some(options.clone()),
                _ => None,
            })
            .expect("a pull reader")
    }

    const FULL: &str = r#"
file_format: "1.0"
resource:
  attributes: [{name: service.name, value: svc}]
  attributes_list: "team=core,service.name=other"
attribute_limits: {attribute_count_limit: 8}
meter_provider:
  readers:
    - periodic:
        interval: ${INTERVAL:-1000}
        exporter:
          otlp_http:
            endpoint: http://127.0.0.1:${PORT}/v1/metrics
            headers: [{name: x-key, value: "$${not}"}]
            temporality_preference: delta
    - pull: {exporter: {prometheus/development: {host: 127.0.0.1, port: 0}}}
  views:
    - selector: {instrument_name: "req*"}
      stream: {aggregation: {explicit_bucket_histogram: {boundaries: [1, 2]}}}
  exemplar_filter: trace_based
tracer_provider: {}
"#;

    #[test]
    fn a_full_file_resolves_with_substitution_and_ignores_other_variables() {
        let env = MapEnv::default().with("PORT", "4318").with("OTEL_METRICS_EXPORTER", "console");
        let r = from_yaml(FULL, &env).unwrap();
        assert_eq!(r.exporters(), vec![ExporterKind::Otlp, ExporterKind::Prometheus]);
        let otlp = r.otlp().cloned().unwrap();
        assert_eq!(otlp.endpoint.url, "http://127.0.0.1:4318/v1/metrics");
        assert_eq!(otlp.protocol, Protocol::HttpProtobuf);
        assert_eq!(otlp.headers, vec![("x-key".into(), "${not}".into())]);
        assert_eq!(r.readers[0].interval, std::time::Duration::from_millis(1000));
        assert_eq!(r.attribute_limits.count, Some(8));
        assert_eq!(r.views.len(), 1);
        let name = r.resource.iter().find(|kv| kv.key.as_str() == "service.name").unwrap();
        assert_eq!(name.value.as_str(), "svc");
    }

    #[test]
    fn prometheus_options_in_both_schema_versions() {
        use crate::config::{IncludeExclude, PrometheusTranslation};
        let prometheus = |version: &str, body: &str| {
            let yaml = format!(
                "file_format: \"{version}\"\nmeter_provider:\n  readers:\n    - pull: {{exporter: {{prometheus/development: {{port: 0, {body}}}}}}}\n"
            );
            from_yaml(&yaml, &MapEnv::default()).map(|r| prometheus_options(&r))
        };
        let v1_1 = prometheus(
            "1.1",
            "scope_info_enabled: false, target_info_enabled/development: false, translation_strategy: no_utf8_escaping_with_suffixes/development, resource_constant_labels: {included: [service.*], excluded: [service.instance.id]}",
        )
        .unwrap();
        assert_eq!(v1_1.translation, PrometheusTranslation::NoUtf8EscapingWithSuffixes);
        assert!(!v1_1.scope_info && !v1_1.target_info);
        assert_eq!(
            v1_1.resource_constant_labels,
            Some(IncludeExclude {
                included: vec!["service.*".into()],
                excluded: vec!["service.instance.id".into()]
            })
        );
        let v1_0 = prometheus(
            "1.0",
            "without_scope_info: true, without_target_info/development: true, with_resource_constant_labels: {excluded: [host.*]}, without_units: true",
        )
        .unwrap();
        assert!(!v1_0.scope_info && !v1_0.target_info);
        assert_eq!(
            v1_0.resource_constant_labels.as_ref().unwrap().excluded,
            vec!["host.*".to_owned()]
        );
        assert!(!v1_0.unit_suffix() && v1_0.type_suffix());
        assert_eq!(prometheus("1.0", "host: 127.0.0.1").unwrap(), Default::default());
        let e = prometheus("1.1", "translation_strategy: dots").unwrap_err();
        assert!(e.message.contains("translation_strategy"), "{}", e.message);
    }

    #[test]
    fn version_1_1_is_accepted_and_2_refused() {
        assert!(from_yaml("file_format: \"1.1\"\n", &MapEnv::default()).is_ok());
        let e = from_yaml("file_format: \"2.0\"\n", &MapEnv::default()).unwrap_err();
        assert_eq!(e.status, status::INVALID_CONFIG);
        assert!(e.message.contains("<yaml>:1 file_format"), "{}", e.message);
    }

    #[test]
    fn a_type_error_names_line_and_key_without_the_value() {
        let yaml = "file_format: \"1.0\"\nmeter_provider:\n  readers:\n    - periodic:\n        interval: soon\n";
        let e = from_yaml(yaml, &MapEnv::default()).unwrap_err();
        assert_eq!(e.status, status::INVALID_CONFIG);
        assert!(
            e.message.contains("<yaml>:5 meter_provider.readers[0].periodic.interval"),
            "{}",
            e.message
        );
        let secret = "file_format: \"1.0\"\nmeter_provider:\n  readers:\n    - periodic:\n        exporter:\n          otlp_http:\n            headers: [{name: a, value: [hunter2]}]\n";
        let e = from_yaml(secret, &MapEnv::default()).unwrap_err();
        assert!(!e.message.contains("hunter2"), "{}", e.message);
    }

    #[test]
    fn substituted_plain_scalars_are_typed_after_substitution() {
        let yaml = "file_format: \"1.0\"\ndisabled: ${OFF}\n";
        let r = from_yaml(yaml, &MapEnv::default().with("OFF", "true")).unwrap();
        assert!(r.disabled);
        let quoted = "file_format: \"1.0\"\ndisabled: \"${OFF}\"\n";
        assert!(from_yaml(quoted, &MapEnv::default().with("OFF", "true")).is_err());
    }

    #[test]
    fn malformed_yaml_and_missing_files_are_invalid_config() {
        let e = from_yaml("file_format: [\n", &MapEnv::default()).unwrap_err();
        assert_eq!(e.status, status::INVALID_CONFIG);
        let s = Settings::default();
        let env = MapEnv::default().with(CONFIG_FILE_VAR, "/nonexistent/otel.yaml");
        let e = resolve(&s, &env).unwrap_err();
        assert!(e.message.contains("/nonexistent/otel.yaml"), "{}", e.message);
    }

    const TWO_OTLP: &str = r#"
file_format: "1.1"
meter_provider:
  readers:
    - periodic:
        interval: 1000
        timeout: 500
        max_export_batch_size/development: 7
        cardinality_limits: {default: 300, counter: 50}
        exporter:
          otlp_grpc:
            endpoint: http://127.0.0.1:4317
            headers: [{name: tenant, value: a}]
            compression: gzip
            timeout: 250
            temporality_preference: delta
    - periodic:
        interval: 5000
        cardinality_limits: {default: 100, histogram: 20}
        exporter:
          otlp_http:
            endpoint: http://127.0.0.1:4318/v1/metrics
            encoding: json
            headers_list: "tenant=b"
            temporality_preference: cumulative
            default_histogram_aggregation: base2_exponential_bucket_histogram
    - pull: {exporter: {prometheus/development: {port: 9464, without_units: true}}}
    - pull: {exporter: {prometheus/development: {host: 127.0.0.1, port: 9465}}}
    - periodic: {exporter: {console: {}}}
"#;

    fn otlp_of(reader: &crate::config::ResolvedReader) -> &crate::config::ResolvedOtlp {
        match &reader.exporter {
            ReaderExporter::Otlp(o) => o,
            other => panic!("not an OTLP reader: {other:?}"),
        }
    }

    #[test]
    fn every_reader_of_the_file_is_its_own_reader() {
        use crate::config::{Compression, TemporalityPreference};
        use std::time::Duration;
        let r = from_yaml(TWO_OTLP, &MapEnv::default()).unwrap();
        assert_eq!(
            r.exporters(),
            vec![
                ExporterKind::Otlp,
                ExporterKind::Otlp,
                ExporterKind::Prometheus,
                ExporterKind::Prometheus,
                ExporterKind::Console
            ]
        );
        let (grpc, http) = (&r.readers[0], &r.readers[1]);
        assert_eq!(
            (grpc.interval, grpc.timeout),
            (Duration::from_secs(1), Duration::from_millis(500))
        );
        assert_eq!(grpc.temporality, TemporalityPreference::Delta);
        let o = otlp_of(grpc);
        assert_eq!(o.protocol, Protocol::Grpc);
        assert_eq!(o.endpoint.url, "http://127.0.0.1:4317");
        assert_eq!(o.headers, vec![("tenant".into(), "a".into())]);
        assert_eq!((o.compression, o.timeout), (Compression::Gzip, Duration::from_millis(250)));
        assert_eq!(o.max_export_batch_size, Some(7));
        assert_eq!(
            (http.interval, http.timeout),
            (Duration::from_secs(5), Duration::from_secs(30))
        );
        assert_eq!(http.temporality, TemporalityPreference::Cumulative);
        let o = otlp_of(http);
        assert_eq!(o.protocol, Protocol::HttpJson);
        assert_eq!(o.endpoint.url, "http://127.0.0.1:4318/v1/metrics");
        assert_eq!(o.headers, vec![("tenant".into(), "b".into())]);
        assert_eq!((o.compression, o.max_export_batch_size), (Compression::None, None));
        let pulls: Vec<_> = r.readers[2..4]
            .iter()
            .map(|reader| match &reader.exporter {
                ReaderExporter::Prometheus { address, options } => {
                    (address.port(), options.without_units)
                }
                other => panic!("not a pull reader: {other:?}"),
            })
            .collect();
        assert_eq!(pulls, vec![(9464, true), (9465, false)]);
        assert!(r.readers[2..].iter().all(|p| p.temporality == TemporalityPreference::Cumulative));
        // Instruments assume delta where any reader is delta.
        assert_eq!(r.temporality(), TemporalityPreference::Delta);
        assert_eq!(r.export_timeout(), Duration::from_secs(30), "the longest reader's");
        // What the SDK cannot do per reader: one limit per key (the
        // strictest), the first reader's histogram aggregation.
        assert_eq!(r.cardinality_limit, Some(100));
        assert_eq!(r.kind_cardinality_limits[crate::views::Kind::Counter as usize], Some(50));
        assert_eq!(r.kind_cardinality_limits[crate::views::Kind::Histogram as usize], Some(20));
        assert_eq!(r.kind_cardinality_limits[crate::views::Kind::Gauge as usize], None);
        assert!(r.exponential_histograms);
    }

    #[test]
    fn the_two_collectors_example_has_three_readers_of_their_own() {
        use crate::config::TemporalityPreference::{Cumulative, Delta};
        let yaml = include_str!("../../../examples/config/two-collectors.yaml");
        let r = from_yaml(yaml, &MapEnv::default().with("DELTA_INTERVAL_MS", "500")).unwrap();
        let readers: Vec<_> = r
            .readers
            .iter()
            .map(|reader| (reader.exporter.kind(), reader.interval.as_millis(), reader.temporality))
            .collect();
        assert_eq!(
            readers,
            vec![
                (ExporterKind::Otlp, 500, Delta),
                (ExporterKind::Otlp, 60_000, Cumulative),
                (ExporterKind::Prometheus, 60_000, Cumulative)
            ]
        );
        assert_eq!(otlp_of(&r.readers[0]).protocol, Protocol::Grpc);
        assert_eq!(otlp_of(&r.readers[1]).endpoint.url, "http://127.0.0.1:4318/v1/metrics");
    }

    #[test]
    fn a_reader_that_sets_no_limit_takes_the_others() {
        let yaml = "file_format: \"1.0\"\nmeter_provider:\n  readers:\n    - periodic: {exporter: {console: {}}}\n    - periodic: {cardinality_limits: {counter: 9}, exporter: {console: {}}}\n";
        let r = from_yaml(yaml, &MapEnv::default()).unwrap();
        assert_eq!(r.cardinality_limit, None);
        assert_eq!(r.kind_cardinality_limits[crate::views::Kind::Counter as usize], Some(9));
        // A reader's default stands for the kinds it does not name.
        let yaml = "file_format: \"1.0\"\nmeter_provider:\n  readers:\n    - periodic: {cardinality_limits: {default: 4}, exporter: {console: {}}}\n    - periodic: {cardinality_limits: {counter: 9}, exporter: {console: {}}}\n";
        let r = from_yaml(yaml, &MapEnv::default()).unwrap();
        assert_eq!(r.cardinality_limit, Some(4));
        assert_eq!(r.kind_cardinality_limits[crate::views::Kind::Counter as usize], Some(4));
    }

    #[test]
    fn an_error_in_a_later_reader_names_that_reader() {
        let reader1 = |body: &str| {
            format!("file_format: \"1.0\"\nmeter_provider:\n  readers:\n    - periodic: {{exporter: {{otlp_http: {{}}}}}}\n    - periodic:\n{body}")
        };
        let cases = [
            // Found by the file's reader...
            (
                "        exporter: {otlp_grpc: {compression: brotli}}\n",
                "<yaml>:6 meter_provider.readers[1].periodic.exporter.otlp_grpc.compression",
            ),
            (
                "        exporter: {otlp_grpc: {}}\n        interval: soon\n",
                "<yaml>:7 meter_provider.readers[1].periodic.interval",
            ),
            // ... and by the resolver, naming the reader's line and key.
            (
                "        exporter: {otlp_http: {endpoint: \"ftp://x\"}}\n",
                "<yaml>:6 meter_provider.readers[1].periodic.exporter.otlp_http.endpoint",
            ),
            (
                "        exporter:\n          otlp_grpc:\n            tls: {ca_file: /nonexistent/ca.pem}\n",
                "<yaml>:7 meter_provider.readers[1].periodic.exporter.otlp_grpc.tls.ca_file",
            ),
            (
                "        interval: 0\n        exporter: {console: {}}\n",
                "<yaml>:5 meter_provider.readers[1].periodic.interval",
            ),
            (
                "        cardinality_limits: {counter: 0}\n        exporter: {console: {}}\n",
                "<yaml>:5 meter_provider.readers[1].periodic.cardinality_limits",
            ),
            (
                "        exporter: {otlp_http: {headers: [{name: content-length, value: \"0\"}]}}\n",
                "<yaml>:6 meter_provider.readers[1].periodic.exporter.otlp_http.headers",
            ),
        ];
        for (body, named) in cases {
            let e = from_yaml(&reader1(body), &MapEnv::default()).unwrap_err();
            assert_eq!(e.status, status::INVALID_CONFIG);
            assert!(e.message.contains(named), "`{named}` not in: {}", e.message);
        }
    }

    /// Keys of schema v1.0.0/v1.1.0 (read from opentelemetry-configuration's
    /// `schema/meter_provider.yaml`, `common.yaml`, `resource.yaml`).
    const SCHEMA_KEYS: &str = r#"
file_format: "1.1"
log_level: error
resource:
  attributes:
    - {name: tags, value: [a, b], type: string_array}
    - {name: ports, value: [1, 2], type: int_array}
    - {name: gone, value: null}
meter_provider:
  readers:
    - periodic:
        timeout: 0
        max_export_batch_size/development: 500
        cardinality_limits: {default: 100, counter: 5, observable_gauge: 7}
        exporter:
          otlp_grpc:
            timeout: 0
            headers: [{name: a, value: null}, {name: b, value: "1"}]
  views:
    - selector: {meter_name: m, meter_schema_url: "https://opentelemetry.io/schemas/1.30.0"}
      stream: {attribute_keys: {included: [a, b], excluded: [b]}}
  meter_configurator/development:
    default_config: {enabled: false}
    meters: [{name: "app*", config: {enabled: true}}]
"#;

    #[test]
    fn the_schemas_keys_are_read() {
        use crate::views::{Kind, MeterRule};
        let r = from_yaml(SCHEMA_KEYS, &MapEnv::default()).unwrap();
        assert_eq!(r.log_level, Some(Some(crate::diagnostics::Level::Error)));
        let tags = r.resource.iter().find(|kv| kv.key.as_str() == "tags").unwrap();
        assert_eq!(tags.value.as_str(), "[\"a\",\"b\"]");
        assert!(r.resource.iter().any(|kv| kv.key.as_str() == "ports"));
        assert!(!r.resource.iter().any(|kv| kv.key.as_str() == "gone"));
        // 0 is "no limit": far longer than any real deadline.
        assert!(r.export_timeout() > std::time::Duration::from_secs(86_400));
        let otlp = r.otlp().unwrap();
        assert!(otlp.timeout > std::time::Duration::from_secs(86_400));
        assert_eq!(otlp.headers, vec![("b".into(), "1".into())]);
        assert_eq!(otlp.max_export_batch_size, Some(500));
        let d = r.stream_defaults();
        assert_eq!(d.cardinality_limit, Some(100));
        assert_eq!(d.kind_limits[Kind::Counter as usize], Some(5));
        assert_eq!(d.kind_limits[Kind::ObservableGauge as usize], Some(7));
        assert_eq!(d.kind_limits[Kind::Histogram as usize], None);
        let view = &r.views[0];
        assert_eq!(
            view.meter_schema_url.as_deref(),
            Some("https://opentelemetry.io/schemas/1.30.0")
        );
        assert_eq!(view.allowed_keys, Some(vec!["a".into()]));
        assert_eq!(view.denied_keys, None);
        assert_eq!(
            r.meter_rules,
            vec![
                MeterRule { pattern: "app*".into(), enabled: true },
                MeterRule { pattern: "*".into(), enabled: false }
            ]
        );
    }

    #[test]
    fn an_unknown_attribute_type_or_a_wrong_array_item_names_the_key() {
        let bad =
            "file_format: \"1.0\"\nresource:\n  attributes: [{name: a, value: 1, type: long}]\n";
        let e = from_yaml(bad, &MapEnv::default()).unwrap_err();
        assert!(e.message.contains("<yaml>:3 resource.attributes[0].type"), "{}", e.message);
        let arr = "file_format: \"1.0\"\nresource:\n  attributes: [{name: a, value: [1, x], type: int_array}]\n";
        let e = from_yaml(arr, &MapEnv::default()).unwrap_err();
        assert!(e.message.contains("resource.attributes[0].value"), "{}", e.message);
    }
}
