//! One stream for an instrument recorded with both ints and doubles.
//!
//! The SDK keeps an integer and a double instrument of one name apart (two
//! streams, the same series twice at a Prometheus scrape, of which a real
//! Prometheus keeps one). Such pairs arise from the OpenTelemetry Python API,
//! whose instruments take ints and floats alike (the package records floats
//! given after ints on a double twin), and from C callers who make both. The
//! Python SDK, the reference for that API, keeps one aggregation per attribute
//! set whatever the amounts' types and exports ints as an integer point and
//! anything with a float in it as a double one; this merge gives the same:
//!
//! - sums (monotonic or not, same temporality): per attribute set, the
//!   integer and the double totals added into one double point; a set only
//!   one of them has keeps its point and type;
//! - gauges: per attribute set, the double's value unless it equals the
//!   integer's, then the integer point. The Python package records every int
//!   given to a gauge that has a double twin on the twin too, so the double
//!   always holds the last value and the integer the last int: equal means
//!   the last value was an int (or a float equal to it).
//!
//! Pairs are matched within one scope by name, unit and data kind; points
//! by their attribute set (the SDK sorts attributes, so equal sets encode to
//! equal bytes).

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::number_data_point::Value;
use opentelemetry_proto::tonic::metrics::v1::{metric::Data, Metric, NumberDataPoint};
use prost::Message;
use std::collections::HashMap;

/// Merges every integer/double pair of one name in `request`, in place.
pub(crate) fn merge(request: &mut ExportMetricsServiceRequest) {
    for resource in &mut request.resource_metrics {
        for scope in &mut resource.scope_metrics {
            merge_pairs(&mut scope.metrics);
        }
    }
}

fn merge_pairs(metrics: &mut Vec<Metric>) {
    // Only scopes with a repeated name do any work beyond this scan.
    let mut first_of: HashMap<(&str, &str, Shape), (usize, NumberType)> = HashMap::new();
    let mut pairs = Vec::new();
    for (i, metric) in metrics.iter().enumerate() {
        let Some((shape, ty)) = shape(metric) else { continue };
        let (first, first_ty) =
            *first_of.entry((&metric.name, &metric.unit, shape)).or_insert((i, ty));
        if first != i && first_ty != ty {
            pairs.push((first, i));
        }
    }
    if pairs.is_empty() {
        return;
    }
    // Later indices first, so the removals leave the earlier ones in place.
    pairs.sort_by_key(|pair| std::cmp::Reverse(pair.1));
    for (keep, other) in pairs {
        let taken = metrics.remove(other);
        merge_into(&mut metrics[keep], taken);
    }
}

/// What must agree for two metrics to be one stream.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Sum { monotonic: bool, temporality: i32 },
    Gauge,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NumberType {
    Int,
    Double,
}

fn points(data: &Data) -> Option<&[NumberDataPoint]> {
    match data {
        Data::Sum(sum) => Some(&sum.data_points),
        Data::Gauge(gauge) => Some(&gauge.data_points),
        _ => None,
    }
}

fn points_mut(data: &mut Data) -> Option<&mut Vec<NumberDataPoint>> {
    match data {
        Data::Sum(sum) => Some(&mut sum.data_points),
        Data::Gauge(gauge) => Some(&mut gauge.data_points),
        _ => None,
    }
}

/// The metric's shape and its points' number type (from the first point:
/// one SDK instrument has one type).
fn shape(metric: &Metric) -> Option<(Shape, NumberType)> {
    let data = metric.data.as_ref()?;
    let shape = match data {
        Data::Sum(sum) => {
            Shape::Sum { monotonic: sum.is_monotonic, temporality: sum.aggregation_temporality }
        }
        Data::Gauge(_) => Shape::Gauge,
        _ => return None,
    };
    let ty = match points(data)?.first()?.value? {
        Value::AsInt(_) => NumberType::Int,
        Value::AsDouble(_) => NumberType::Double,
    };
    Some((shape, ty))
}

fn attribute_key(point: &NumberDataPoint) -> Vec<u8> {
    let mut key = Vec::new();
    for kv in &point.attributes {
        kv.encode_length_delimited(&mut key).expect("a Vec grows");
    }
    key
}

fn merge_into(keep: &mut Metric, other: Metric) {
    let gauge = matches!(keep.data, Some(Data::Gauge(_)));
    let (Some(kept), Some(mut other_data)) = (keep.data.as_mut(), other.data) else { return };
    let (Some(kept), Some(added)) = (points_mut(kept), points_mut(&mut other_data)) else {
        return;
    };
    let mut index: HashMap<Vec<u8>, usize> =
        kept.iter().enumerate().map(|(i, p)| (attribute_key(p), i)).collect();
    for point in added.drain(..) {
        match index.get(&attribute_key(&point)) {
            Some(&i) if gauge => kept[i] = last_value(std::mem::take(&mut kept[i]), point),
            Some(&i) => add(&mut kept[i], point),
            None => {
                index.insert(attribute_key(&point), kept.len());
                kept.push(point);
            }
        }
    }
}

fn as_f64(value: Option<Value>) -> f64 {
    match value {
        Some(Value::AsInt(i)) => i as f64,
        Some(Value::AsDouble(d)) => d,
        None => 0.0,
    }
}

/// One point of a sum from an integer and a double one of the same series.
fn add(into: &mut NumberDataPoint, other: NumberDataPoint) {
    into.value = Some(Value::AsDouble(as_f64(into.value) + as_f64(other.value)));
    into.start_time_unix_nano = match (into.start_time_unix_nano, other.start_time_unix_nano) {
        (0, b) => b,
        (a, 0) => a,
        (a, b) => a.min(b),
    };
    into.time_unix_nano = into.time_unix_nano.max(other.time_unix_nano);
    into.flags |= other.flags;
    into.exemplars.extend(other.exemplars);
}

/// The gauge point of a series both instruments hold (see the module's rule).
fn last_value(a: NumberDataPoint, b: NumberDataPoint) -> NumberDataPoint {
    let (int, double) = match a.value {
        Some(Value::AsInt(_)) => (a, b),
        _ => (b, a),
    };
    if as_f64(int.value) == as_f64(double.value) {
        int
    } else {
        double
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
    use opentelemetry_proto::tonic::metrics::v1::{Gauge, Sum};

    fn point(attr: &str, value: Value) -> NumberDataPoint {
        NumberDataPoint {
            attributes: vec![KeyValue {
                key: "k".into(),
                value: Some(AnyValue { value: Some(any_value::Value::StringValue(attr.into())) }),
                ..Default::default()
            }],
            value: Some(value),
            ..Default::default()
        }
    }

    fn sum(name: &str, points: Vec<NumberDataPoint>) -> Metric {
        let data =
            Data::Sum(Sum { data_points: points, aggregation_temporality: 2, is_monotonic: true });
        Metric { name: name.into(), data: Some(data), ..Default::default() }
    }

    fn gauge(name: &str, points: Vec<NumberDataPoint>) -> Metric {
        Metric {
            name: name.into(),
            data: Some(Data::Gauge(Gauge { data_points: points })),
            ..Default::default()
        }
    }

    fn values(metric: &Metric) -> Vec<Option<Value>> {
        points(metric.data.as_ref().unwrap()).unwrap().iter().map(|p| p.value).collect()
    }

    #[test]
    fn sums_of_one_name_add_per_attribute_set_as_double() {
        let mut metrics = vec![
            sum("c", vec![point("a", Value::AsInt(3)), point("b", Value::AsInt(1))]),
            sum("other", vec![point("a", Value::AsInt(9))]),
            sum("c", vec![point("a", Value::AsDouble(0.5)), point("z", Value::AsDouble(2.5))]),
        ];
        merge_pairs(&mut metrics);
        assert_eq!(metrics.len(), 2);
        assert_eq!(
            values(&metrics[0]),
            [Some(Value::AsDouble(3.5)), Some(Value::AsInt(1)), Some(Value::AsDouble(2.5))]
        );
        assert_eq!(values(&metrics[1]), [Some(Value::AsInt(9))]);
    }

    #[test]
    fn gauges_keep_the_double_unless_it_equals_the_integer() {
        let mut metrics = vec![
            gauge("g", vec![point("a", Value::AsInt(7)), point("b", Value::AsInt(4))]),
            gauge("g", vec![point("a", Value::AsDouble(1.5)), point("b", Value::AsDouble(4.0))]),
        ];
        merge_pairs(&mut metrics);
        assert_eq!(metrics.len(), 1);
        assert_eq!(values(&metrics[0]), [Some(Value::AsDouble(1.5)), Some(Value::AsInt(4))]);
    }

    #[test]
    fn different_kinds_units_or_same_types_stay_apart() {
        let mut metrics = vec![
            sum("m", vec![point("a", Value::AsInt(1))]),
            gauge("m", vec![point("a", Value::AsDouble(1.5))]),
            sum("n", vec![point("a", Value::AsInt(1))]),
            sum("n", vec![point("a", Value::AsInt(2))]),
        ];
        let mut with_unit = sum("m", vec![point("a", Value::AsDouble(2.0))]);
        with_unit.unit = "s".into();
        metrics.push(with_unit);
        merge_pairs(&mut metrics);
        assert_eq!(metrics.len(), 5);
    }
}
