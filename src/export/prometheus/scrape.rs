//! What the endpoint answers: `/metrics` (collected on the blocking pool,
//! rendered in the format the scraper accepts, gzip-compressed when it
//! accepts that), a pointer to it at `/`, 404 elsewhere, 405 for methods
//! other than GET and HEAD (hyper leaves the body out for HEAD).

use super::exposition::{self, Scrape};
use super::http::Answer;
use super::negotiate::{self, Coding};
use crate::config::PrometheusOptions;
use crate::diagnostics;
use crate::export::snapshot::SnapshotReader;
use bytes::Bytes;
use http::header::{ACCEPT, ACCEPT_ENCODING, ALLOW, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use std::sync::Arc;

/// Bodies this large or larger are gzip-compressed when the scraper accepts it.
const GZIP_FROM: usize = 1024;

pub async fn answer<B>(
    reader: SnapshotReader,
    options: Arc<PrometheusOptions>,
    request: Request<B>,
) -> Answer {
    let path = request.uri().path();
    match (request.method(), path) {
        (&Method::GET | &Method::HEAD, "/metrics") => {
            scrape(reader, options, request.headers()).await
        }
        (&Method::GET | &Method::HEAD, "/") => {
            plain(StatusCode::OK, "otelmetrics: metrics at /metrics\n")
        }
        (&Method::GET | &Method::HEAD, _) => {
            plain(StatusCode::NOT_FOUND, "not found; metrics are at /metrics\n")
        }
        _ => {
            let mut answer = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
            answer.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            answer
        }
    }
}

/// A header's values joined as one list (a header sent on several lines is
/// one comma-separated list); None when absent or not text.
fn header_list(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    let values: Vec<&str> = headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
    (!values.is_empty()).then(|| values.join(","))
}

async fn scrape(
    reader: SnapshotReader,
    options: Arc<PrometheusOptions>,
    headers: &HeaderMap,
) -> Answer {
    let Some(representation) = negotiate::representation(header_list(headers, ACCEPT).as_deref())
    else {
        return plain(
            StatusCode::NOT_ACCEPTABLE,
            "acceptable: text/plain;version=0.0.4, application/openmetrics-text;version=1.0.0\n",
        );
    };
    // Collecting runs observable callbacks (user code): off the runtime's
    // thread, which serves every other connection meanwhile.
    let rendered = tokio::task::spawn_blocking(move || {
        let scrape = Scrape {
            format: representation.format,
            escaping: representation.escaping.unwrap_or_default(),
            options: &options,
        };
        reader.request().map(|r| exposition::render(&r, &scrape))
    })
    .await;
    let body = match rendered {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return plain(StatusCode::SERVICE_UNAVAILABLE, &format!("{}\n", e.message)),
        Err(_) => {
            diagnostics::error("prometheus endpoint: rendering panicked; answered 500");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n");
        }
    };
    let Some(coding) =
        negotiate::coding(header_list(headers, ACCEPT_ENCODING).as_deref(), body.len(), GZIP_FROM)
    else {
        return plain(StatusCode::NOT_ACCEPTABLE, "acceptable content codings: gzip, identity\n");
    };
    let mut answer = match coding {
        Coding::Gzip => {
            let mut answer =
                Response::new(Full::new(Bytes::from(crate::export::compress::gzip(&body))));
            answer.headers_mut().insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            answer
        }
        Coding::Identity => Response::new(Full::new(Bytes::from(body))),
    };
    let headers = answer.headers_mut();
    // Built from our own constants: always a valid header value.
    if let Ok(content_type) = HeaderValue::from_str(&representation.content_type()) {
        headers.insert(CONTENT_TYPE, content_type);
    }
    headers.insert(VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
    answer
}

fn plain(status: StatusCode, body: &str) -> Answer {
    let mut answer = Response::new(Full::new(Bytes::from(body.to_owned())));
    *answer.status_mut() = status;
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    answer
}
