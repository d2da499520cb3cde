//! The one way an endpoint is shown, in error messages and diagnostics
//! alike: an endpoint may carry credentials (`user:password@`) or a token in
//! its query string, and neither may ever be printed.

/// `text` (an endpoint as configured) as it may be shown: userinfo and query
/// replaced by `<redacted>`. Text that does not parse as a URI is not
/// shown, since no parser can say where its secrets are: only its scheme,
/// when it starts with one. So is text whose parse is ambiguous: a port
/// that is no number, or an `@` in the path, is what a password holding a
/// `/` looks like (`https://user:pa/ss@host` parses as host `user`, port
/// `pa`).
pub fn endpoint(text: &str) -> String {
    let text = text.trim();
    let uri = text
        .parse::<http::Uri>()
        .ok()
        .filter(|uri| !has_bad_port(uri) && !uri.path().contains('@'));
    let Some(uri) = uri else {
        return match scheme_of(text) {
            Some(scheme) => format!("{scheme}://<redacted>"),
            None => "<redacted>".to_owned(),
        };
    };
    let mut shown = String::new();
    if let Some(scheme) = uri.scheme_str() {
        shown.push_str(scheme);
        shown.push_str("://");
    }
    if let Some(authority) = uri.authority() {
        if authority.as_str().contains('@') {
            shown.push_str("<redacted>@");
        }
        shown.push_str(authority.host());
        if let Some(port) = authority.port_u16() {
            shown.push_str(&format!(":{port}"));
        }
    }
    shown.push_str(uri.path());
    if uri.query().is_some() {
        shown.push_str("?<redacted>");
    }
    shown
}

/// Whether the authority has a port that is not a number from 0 to 65535
/// (which `http::Uri` parses, then reports as no port at all).
pub fn has_bad_port(uri: &http::Uri) -> bool {
    let Some(authority) = uri.authority() else { return false };
    let after_userinfo = authority.as_str().rsplit('@').next().unwrap_or("");
    match after_userinfo.strip_prefix(authority.host()).and_then(|rest| rest.strip_prefix(':')) {
        Some(port) => !port.is_empty() && port.parse::<u16>().is_err(),
        None => false,
    }
}

/// The scheme `text` starts with (`scheme://`), if it is a valid one.
fn scheme_of(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once("://")?;
    let valid = scheme.len() <= 32
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

#[cfg(test)]
mod tests {
    use super::endpoint;

    #[test]
    fn credentials_and_queries_are_redacted() {
        assert_eq!(
            endpoint("https://user:s3cret@collector:4318/v1/metrics?token=abc"),
            "https://<redacted>@collector:4318/v1/metrics?<redacted>"
        );
        assert_eq!(
            endpoint("ftp://user:s3cret@collector/x?token=abc"),
            "ftp://<redacted>@collector/x?<redacted>"
        );
        assert_eq!(endpoint("user:s3cret@collector:4318"), "<redacted>@collector:4318");
        assert_eq!(endpoint("http://localhost:4317"), "http://localhost:4317/");
        assert_eq!(endpoint(" http://[::1]:4318/v1/metrics "), "http://[::1]:4318/v1/metrics");
    }

    #[test]
    fn unparsable_endpoints_show_at_most_their_scheme() {
        for (text, shown) in [
            ("http://user:s3cret@[::1/v1/metrics?token=abc", "http://<redacted>"),
            ("https://user:pa/ss@collector?token=abc", "https://<redacted>"),
            ("https://user:s3cret@collector:99999", "https://<redacted>"),
            ("https://user:s3/cret@collector/v1", "https://<redacted>"),
            ("https://user:1234/x@collector/v1", "https://<redacted>"),
            ("not a url s3cret", "<redacted>"),
            ("s3cret stuff://x", "<redacted>"),
            ("", "<redacted>"),
        ] {
            assert_eq!(endpoint(text), shown, "{text}");
        }
    }
}
