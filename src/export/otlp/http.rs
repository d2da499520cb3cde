//! OTLP over HTTP (`http/protobuf` and `http/json`): one POST per request,
//! answered as the OTLP specification says: 2xx delivered (possibly with a
//! partial success), 429/502/503/504 transient (with `Retry-After`
//! honoured), any other status permanent; connection failures transient.
//! Redirects are not followed: a 3xx is a failed export, reported with its
//! status and its `Location` (redacted). Following one would send the
//! metrics and every configured header (an API key) to wherever a collector
//! points, perhaps over plaintext, and a 301/302 would turn the POST into a
//! bodiless GET that "succeeds".
//!
//! At most `MAX_ANSWER_BYTES` of an answer are read: a success answer
//! larger than that is a failed export (`invalid_response`, not retried),
//! an error answer is classified by its status alone.

use super::retry::Attempt;
use super::split::Encoding;
use super::tls;
use crate::config::{Compression, ResolvedOtlp};
use crate::error::{Error, Result};
use crate::export::{error_type, ResponseStatus};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, CONTENT_ENCODING, CONTENT_TYPE, LOCATION, RETRY_AFTER,
    USER_AGENT,
};
use std::time::{Duration, SystemTime};

pub struct HttpTransport {
    client: reqwest::Client,
    url: String,
    headers: HeaderMap,
    compression: Compression,
}

impl HttpTransport {
    pub fn new(otlp: &ResolvedOtlp, encoding: Encoding) -> Result<Self> {
        let build_error = |e: reqwest::Error| {
            Error::config(
                &otlp.endpoint.source,
                format!("cannot build the OTLP HTTP client: {}", e.without_url()),
            )
        };
        // reqwest needs a TLS backend even for plain http (it has no default
        // crypto provider in this build, by design: see tls::rustls_config).
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .tls_backend_preconfigured(tls::rustls_config(otlp)?)
            .build()
            .map_err(build_error)?;
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static(super::USER_AGENT));
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(match encoding {
                Encoding::Json => "application/json",
                Encoding::Protobuf => "application/x-protobuf",
            }),
        );
        match otlp.compression {
            Compression::Gzip => headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip")),
            Compression::Zstd => headers.insert(CONTENT_ENCODING, HeaderValue::from_static("zstd")),
            Compression::None => None,
        };
        for (k, v) in &otlp.headers {
            // Both were validated when the configuration was resolved.
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| Error::config("otlp headers", "a header name is not valid"))?;
            let value = HeaderValue::from_str(v).map_err(|_| {
                Error::config("otlp headers", format!("the value of `{k}` is not valid"))
            })?;
            headers.insert(name, value);
        }
        Ok(HttpTransport {
            client,
            url: otlp.endpoint.url.clone(),
            headers,
            compression: otlp.compression,
        })
    }

    /// Compresses a body once, so retries resend the same bytes.
    pub fn prepare(&self, body: Vec<u8>) -> bytes::Bytes {
        use crate::export::compress;
        match self.compression {
            Compression::Gzip => compress::gzip(&body).into(),
            Compression::Zstd => compress::zstd(&body).into(),
            Compression::None => body.into(),
        }
    }

    /// One POST; the status is the answer's, when one came.
    pub async fn send(
        &self,
        body: bytes::Bytes,
        timeout: Duration,
    ) -> (Attempt, Option<ResponseStatus>) {
        let sent = self
            .client
            .post(&self.url)
            .headers(self.headers.clone())
            .timeout(timeout)
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            // Connection refused, reset, DNS, TLS, timeout: the URL is left
            // out of the message (it may hold credentials).
            Err(e) if super::is_tls_refusal(&e) => {
                let attempt = Attempt::Permanent {
                    reason: describe_error(&e),
                    error_type: error_type::TLS.into(),
                };
                return (attempt, None);
            }
            Err(e) => {
                let cause =
                    if e.is_timeout() { error_type::TIMEOUT } else { error_type::TRANSPORT };
                let attempt = Attempt::Transient {
                    reason: describe_error(&e),
                    after: None,
                    error_type: cause.into(),
                };
                return (attempt, None);
            }
        };
        let status = ResponseStatus::Http(response.status().as_u16());
        (answered(response).await, Some(status))
    }
}

/// What an answer says of the request it answers.
async fn answered(response: reqwest::Response) -> Attempt {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let location = response
        .headers()
        .get(LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let json_body = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let (body, unread) = read_capped(response, super::MAX_ANSWER_BYTES).await;
    if status.is_success() {
        // An answer that cannot be read says nothing about what the
        // receiver kept: reported as a failure, never as full success
        // (and not retried, since the receiver may have kept it all).
        let parsed = match unread {
            Some(why) => Err(why),
            None => super::parse_answer(&body, json_body),
        };
        return match parsed {
            Ok(delivered) => Attempt::Delivered(delivered),
            Err(why) => Attempt::Permanent {
                reason: format!(
                    "HTTP {}, but the answer cannot be read ({why}): whether the data points were kept is unknown",
                    status.as_u16()
                ),
                error_type: error_type::INVALID_RESPONSE.into(),
            },
        };
    }
    let detail = super::status_message(&body, json_body);
    let mut reason = match detail {
        Some(m) => format!("HTTP {}: {m}", status.as_u16()),
        None => format!("HTTP {}", status),
    };
    if status.is_redirection() {
        reason.push_str(&redirect_note(location.as_deref()));
    }
    let error_type = status.as_u16().to_string().into();
    match status.as_u16() {
        429 | 502 | 503 | 504 => Attempt::Transient { reason, after: retry_after, error_type },
        _ => Attempt::Permanent { reason, error_type },
    }
}

/// The answer's body, at most `cap` bytes of it, and why it is not all of
/// it when it is not. Nothing is read past `cap` (dropping the response
/// closes the connection), and an announced length past it is not waited for.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> (Vec<u8>, Option<String>) {
    let too_large = || format!("it is larger than {} MiB, the most read of an answer", cap >> 20);
    if response.content_length().is_some_and(|announced| announced > cap as u64) {
        return (Vec::new(), Some(too_large()));
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > cap => return (body, Some(too_large())),
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return (body, None),
            Err(e) => return (body, Some(format!("it was cut short: {}", describe_error(&e)))),
        }
    }
}

/// The chain of causes, without the URL reqwest would add.
fn describe_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() { "the request timed out" } else { "cannot send the request" };
    what.to_owned() + &super::causes(e)
}

/// Where a redirect pointed, shown as endpoints are (credentials and query
/// redacted), and that it was not followed.
fn redirect_note(location: Option<&str>) -> String {
    let to = match location {
        Some(l) => format!(" to `{}`", crate::config::redact::endpoint(l)),
        None => String::new(),
    };
    format!(
        " (a redirect{to}; redirects are not followed: set the endpoint to where the collector is)"
    )
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::from_secs_f64(seconds.min(3600.0)));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::{parse_retry_after, redirect_note};
    use std::time::{Duration, SystemTime};

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 1.5 "), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        let d = parse_retry_after(&in_a_minute).unwrap();
        assert!(d > Duration::from_secs(55) && d <= Duration::from_secs(60), "{d:?}");
        assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
    }

    #[test]
    fn a_redirect_s_location_is_shown_redacted() {
        let note = redirect_note(Some("https://user:pw@elsewhere:4318/v1/metrics?token=s3cret"));
        assert!(
            note.contains("`https://<redacted>@elsewhere:4318/v1/metrics?<redacted>`"),
            "{note}"
        );
        assert!(!note.contains("s3cret") && !note.contains("pw"), "{note}");
        assert!(redirect_note(None).contains("not followed"));
    }
}
