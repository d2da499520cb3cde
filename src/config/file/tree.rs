//! Loads YAML (saphyr, a maintained YAML 1.2 parser that keeps line and
//! column markers) into a small tree whose scalars are substituted first
//! and typed afterwards, as the data model requires: a plain `${PORT}`
//! holding `9464` is an integer, a quoted one a string.

use super::substitute::substitute;
use crate::config::Env;
use saphyr::{MarkedYaml, Scalar, ScalarStyle, YamlData, YamlLoader};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    /// 1-based line of the node in the file.
    pub line: usize,
}

/// Aliases may not expand the file past this many nodes (a "billion laughs").
const ALIAS_LIMIT: usize = 100_000;

/// Deeper nesting is refused (the schema is a handful of levels deep; the
/// conversion recurses, so a `[[[[...` file must not exhaust the stack).
const MAX_DEPTH: usize = 64;

/// Parses one YAML document; an empty file is an empty mapping.
/// `Err` carries the line and what is wrong.
pub(crate) fn load(text: &str, env: &dyn Env) -> Result<Node, (usize, String)> {
    let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
    loader.early_parse(false);
    loader.alias_limit(ALIAS_LIMIT);
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let scan = |e: saphyr::ScanError| (e.marker().line(), e.info().to_owned());
    parser.load(&mut loader, false).map_err(scan)?;
    if let Some(e) = loader.error() {
        return Err((e.marker().line(), e.info().to_owned()));
    }
    match loader.into_documents().into_iter().next() {
        Some(doc) => convert(&doc, env, 0),
        None => Ok(Node { value: Value::Map(Vec::new()), line: 1 }),
    }
}

fn convert(node: &MarkedYaml, env: &dyn Env, depth: usize) -> Result<Node, (usize, String)> {
    let line = node.span.start.line();
    if depth > MAX_DEPTH {
        return Err((line, format!("nested deeper than {MAX_DEPTH} levels")));
    }
    let deeper = |n: &MarkedYaml| convert(n, env, depth + 1);
    let value = match &node.data {
        YamlData::Representation(raw, style, _tag) => {
            let text = substitute(raw, env).map_err(|m| (line, m))?;
            if *style == ScalarStyle::Plain {
                typed(Scalar::parse_from_cow(text.into()))
            } else {
                Value::Str(text)
            }
        }
        YamlData::Value(s) => typed(s.clone()),
        YamlData::Sequence(items) => {
            Value::Seq(items.iter().map(deeper).collect::<Result<_, _>>()?)
        }
        YamlData::Mapping(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                entries
                    .push((key_text(k).ok_or((line, "a key is not a scalar".into()))?, deeper(v)?));
            }
            Value::Map(entries)
        }
        YamlData::Tagged(_, inner) => return deeper(inner),
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    };
    Ok(Node { value, line })
}

/// Keys are never substituted (the data model's rule).
fn key_text(key: &MarkedYaml) -> Option<String> {
    match &key.data {
        YamlData::Representation(raw, _, _) => Some(raw.to_string()),
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        _ => None,
    }
}

fn typed(s: Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(b),
        Scalar::Integer(i) => Value::Int(i),
        Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
        Scalar::String(s) => Value::Str(s.into_owned()),
    }
}
