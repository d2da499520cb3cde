//! Just enough HTTP/1.1 for a scrape: read one request head (bounded in size
//! and time), answer it, close the connection. Nothing here can wait
//! forever: every read and write has a timeout.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The most a request head may take; a scrape's is a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;
/// How long a client may take to send its request or read the answer.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// The parts of a request a scrape endpoint looks at.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub accept: Option<String>,
    pub accept_encoding: Option<String>,
}

/// Reads a request head from `stream`.
pub fn read_request(stream: &mut TcpStream) -> io::Result<Request> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "request head too large"));
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed before the request was complete"));
        }
        head.extend_from_slice(&buf[..n]);
    }
    parse_head(&head)
}

fn parse_head(head: &[u8]) -> io::Result<Request> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let text = std::str::from_utf8(head).map_err(|_| bad("request head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let method = request_line.next().filter(|m| !m.is_empty()).ok_or_else(|| bad("no method"))?.to_owned();
    let target = request_line.next().ok_or_else(|| bad("no request target"))?;
    let path = target.split('?').next().unwrap_or("").to_owned();
    let (mut accept, mut accept_encoding) = (None, None);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        if name.eq_ignore_ascii_case("accept") {
            accept = Some(value.trim().to_owned());
        } else if name.eq_ignore_ascii_case("accept-encoding") {
            accept_encoding = Some(value.trim().to_owned());
        }
    }
    Ok(Request { method, path, accept, accept_encoding })
}

/// An answer; the connection closes after it.
pub struct Response<'a> {
    pub status: &'a str,
    pub content_type: &'a str,
    pub content_encoding: Option<&'a str>,
    pub body: &'a [u8],
}

impl Response<'_> {
    pub fn plain<'a>(status: &'a str, body: &'a str) -> Response<'a> {
        Response { status, content_type: "text/plain; charset=utf-8", content_encoding: None, body: body.as_bytes() }
    }

    /// Writes the answer (only the head for `HEAD` requests).
    pub fn write(&self, stream: &mut TcpStream, head_only: bool) -> io::Result<()> {
        let mut out = format!(
            "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.status,
            self.content_type,
            self.body.len()
        );
        if let Some(encoding) = self.content_encoding {
            out.push_str(&format!("Content-Encoding: {encoding}\r\n"));
        }
        out.push_str("\r\n");
        stream.write_all(out.as_bytes())?;
        if !head_only {
            stream.write_all(self.body)?;
        }
        stream.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrape_head_parses() {
        let head = b"GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nACCEPT: application/openmetrics-text\r\nAccept-Encoding: gzip\r\n\r\n";
        let r = parse_head(head).unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/metrics");
        assert_eq!(r.accept.as_deref(), Some("application/openmetrics-text"));
        assert_eq!(r.accept_encoding.as_deref(), Some("gzip"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_head(b"\r\n\r\n").is_err());
        assert!(parse_head(b"GET\r\n\r\n").is_err());
        assert!(parse_head(&[0xff, 0xfe, b'\r', b'\n', b'\r', b'\n']).is_err());
    }
}
