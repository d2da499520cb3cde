//! Configuration: what the application set in code ([`Settings`]), and the
//! one place where code, `OTEL_*` environment variables and defaults are
//! resolved into a validated [`Resolved`] configuration.

mod env;
pub(crate) mod file;
pub mod redact;
pub(crate) mod resolve;

/// The views of `Settings::views`.
pub use crate::views::ViewSpec;
pub use env::{Env, MapEnv, ProcessEnv};
pub use file::ConfigSource;
pub use resolve::{
    protocol_name, resolve, Endpoint, Pem, ReaderExporter, Resolved, ResolvedConsole, ResolvedOtlp,
    ResolvedReader,
};
pub use std::net::SocketAddr;

use opentelemetry::KeyValue;
use std::path::PathBuf;
use std::time::Duration;

/// Where metrics go. Several may be active at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExporterKind {
    Otlp,
    Console,
    /// A `/metrics` endpoint the library serves for Prometheus to scrape.
    Prometheus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Grpc,
    HttpProtobuf,
    HttpJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemporalityPreference {
    Cumulative,
    Delta,
    LowMemory,
}

impl TemporalityPreference {
    /// Of two readers' preferences, the one that makes delta every
    /// instrument kind either makes delta: `Delta` makes delta every kind
    /// `LowMemory` does (and observable counters), which makes delta every
    /// kind `Cumulative` does (none). Instruments assume it when readers
    /// disagree.
    pub fn strictest(self, other: Self) -> Self {
        let rank = |t: Self| match t {
            Self::Cumulative => 0,
            Self::LowMemory => 1,
            Self::Delta => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// Which measurements may become exemplars (`OTEL_METRICS_EXEMPLAR_FILTER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExemplarFilter {
    /// Every measurement (with its span's ids when it has one).
    AlwaysOn,
    /// None.
    AlwaysOff,
    /// Measurements made in a sampled span (the default).
    TraceBased,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleFormat {
    /// One readable block per export.
    Human,
    /// One OTLP-JSON `ExportMetricsServiceRequest` per line.
    Json,
}

/// How the Prometheus endpoint turns OpenTelemetry names into Prometheus
/// names (the exporter specification's `TranslationStrategy`; the
/// configuration schema's `translation_strategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrometheusTranslation {
    /// Characters outside `[a-zA-Z0-9_:]` become `_`; unit and type
    /// (`_total`) suffixes are added. Classic Prometheus names.
    #[default]
    UnderscoreEscapingWithSuffixes,
    /// Escaped as above, without the suffixes.
    UnderscoreEscapingWithoutSuffixes,
    /// Names keep their characters (`http.server.duration_seconds`) for a
    /// scraper that accepts UTF-8 names; suffixes are added.
    NoUtf8EscapingWithSuffixes,
    /// Names pass as they are: no escaping, no suffixes.
    NoTranslation,
}

impl PrometheusTranslation {
    /// Whether names are escaped to the legacy character set before any
    /// scraper asks (false: only when the scraper does not accept UTF-8).
    pub fn escapes(self) -> bool {
        matches!(
            self,
            Self::UnderscoreEscapingWithSuffixes | Self::UnderscoreEscapingWithoutSuffixes
        )
    }

    /// Whether unit and type suffixes are added.
    pub fn suffixes(self) -> bool {
        matches!(self, Self::UnderscoreEscapingWithSuffixes | Self::NoUtf8EscapingWithSuffixes)
    }
}

/// Patterns (`*`, `?` wildcards) selecting keys: a key is admitted when it
/// matches an included pattern (every key, when none is given) and no
/// excluded one (the configuration schema's `IncludeExclude`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IncludeExclude {
    pub included: Vec<String>,
    pub excluded: Vec<String>,
}

impl IncludeExclude {
    pub fn admits(&self, key: &str) -> bool {
        let matches = |p: &String| crate::views::wildcard_match(p, key);
        (self.included.is_empty() || self.included.iter().any(matches))
            && !self.excluded.iter().any(matches)
    }
}

/// The Prometheus exporter's options, as the exporter specification and
/// the configuration schema name them; the defaults are theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrometheusOptions {
    pub translation: PrometheusTranslation,
    /// No unit suffixes, whatever the strategy (the spec's `WithoutUnits`).
    pub without_units: bool,
    /// No `_total` suffixes, whatever the strategy (the spec's
    /// `WithoutTypeSuffix`; OpenMetrics counter samples keep theirs).
    pub without_type_suffix: bool,
    /// `otel_scope_*` labels on every series (`scope_info_enabled`).
    pub scope_info: bool,
    /// The resource as `target_info` (`target_info_enabled`).
    pub target_info: bool,
    /// Resource attributes copied onto every series as labels
    /// (`resource_constant_labels`); None copies none.
    pub resource_constant_labels: Option<IncludeExclude>,
}

impl Default for PrometheusOptions {
    fn default() -> Self {
        PrometheusOptions {
            translation: PrometheusTranslation::default(),
            without_units: false,
            without_type_suffix: false,
            scope_info: true,
            target_info: true,
            resource_constant_labels: None,
        }
    }
}

impl PrometheusOptions {
    pub fn unit_suffix(&self) -> bool {
        self.translation.suffixes() && !self.without_units
    }

    pub fn type_suffix(&self) -> bool {
        self.translation.suffixes() && !self.without_type_suffix
    }
}

/// Everything the application can set in code. `None` means "not set here":
/// the environment and then the defaults decide.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub service_name: Option<String>,
    pub resource_attributes: Vec<KeyValue>,
    /// `Some(vec![])` means "no exporter" (the spec's `none`).
    pub exporters: Option<Vec<ExporterKind>>,
    pub otlp_endpoint: Option<String>,
    pub otlp_protocol: Option<Protocol>,
    pub otlp_headers: Vec<(String, String)>,
    pub otlp_timeout: Option<Duration>,
    pub otlp_compression: Option<Compression>,
    pub otlp_ca_file: Option<PathBuf>,
    pub otlp_client_cert_file: Option<PathBuf>,
    pub otlp_client_key_file: Option<PathBuf>,
    pub otlp_insecure: Option<bool>,
    /// Largest encoded size of one OTLP request; larger exports are split.
    pub otlp_max_request_bytes: Option<usize>,
    /// Most data points in one OTLP request (the spec's periodic reader
    /// option `max_export_batch_size`); larger exports are split.
    pub otlp_max_export_batch_size: Option<usize>,
    pub console_format: Option<ConsoleFormat>,
    pub console_path: Option<PathBuf>,
    pub prometheus_host: Option<String>,
    pub prometheus_port: Option<u16>,
    pub prometheus_options: PrometheusOptions,
    pub export_interval: Option<Duration>,
    pub export_timeout: Option<Duration>,
    pub temporality: Option<TemporalityPreference>,
    pub cardinality_limit: Option<usize>,
    /// Per-kind cardinality limits, over `cardinality_limit`.
    pub kind_cardinality_limits: crate::views::KindLimits,
    pub views: Vec<crate::views::ViewSpec>,
    /// The meter configurator: which meters are enabled, by name pattern.
    pub meter_rules: Vec<crate::views::MeterRule>,
    /// Adds a reader whose current state tests can read back as OTLP JSON.
    pub in_memory_reader: bool,
    /// Records the SDK self-metrics of the semantic conventions
    /// (`otel.sdk.exporter.*`, `otel.sdk.metric_reader.*`).
    pub self_metrics: Option<bool>,
    /// A configuration file (or YAML text) replacing every other setting
    /// (`OTEL_CONFIG_FILE` when not set here).
    pub config_file: Option<ConfigSource>,
    /// The file's `disabled` (else `OTEL_SDK_DISABLED`).
    pub disabled: Option<bool>,
    pub attribute_count_limit: Option<usize>,
    pub attribute_value_length_limit: Option<usize>,
    /// The file's `default_histogram_aggregation` is base-2 exponential.
    pub exponential_histograms: Option<bool>,
    /// The exemplar filter by its name (`always_on`, `always_off`,
    /// `trace_based`): set in code or by the file's `exemplar_filter`, else
    /// `OTEL_METRICS_EXEMPLAR_FILTER` (resolved in `resolve.rs`).
    pub exemplar_filter: Option<String>,
    /// The file's `log_level`: the threshold of the library's stderr
    /// messages (`None` inside: off), as `OTEL_LOG_LEVEL` sets it.
    pub log_level: Option<Option<crate::diagnostics::Level>>,
    /// The configuration file's readers (`meter_provider.readers`), each
    /// its own reader, after the ones `exporters` makes (the file sets
    /// `exporters` to none). Code and the environment leave it empty.
    pub file_readers: Vec<FileReader>,
}

/// One reader of the configuration file: its own settings (exporter,
/// interval, timeout, exporter options), resolved like code settings, and
/// where it is in the file, for messages.
#[derive(Debug, Clone, Default)]
pub struct FileReader {
    /// `file:line meter_provider.readers[i].periodic` (or `.pull`).
    pub reader: String,
    /// `file:line meter_provider.readers[i].periodic.exporter.otlp_grpc`
    /// (or the exporter it has).
    pub exporter: String,
    /// Exactly one exporter (`exporters`), with its options.
    pub settings: Settings,
}
