//! gzip and zstd for bodies the library sends (gzip: OTLP requests and
//! Prometheus scrapes; zstd: OTLP over HTTP, gRPC's own frames being
//! compressed by tonic). The fast levels: most of the size saving for a
//! fraction of the CPU time, which is spent on the export thread of someone
//! else's process.

use std::io::Write;

pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    // Writing into memory cannot fail.
    encoder.write_all(body).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

/// zstd at level 1 (its fastest standard level; the format's default is 3).
pub fn zstd(body: &[u8]) -> Vec<u8> {
    // Compressing from memory into memory cannot fail.
    zstd::bulk::compress(body, 1).expect("zstd into memory")
}

#[cfg(test)]
mod tests {
    #[test]
    fn zstd_round_trips() {
        let body = b"fruit_sold_total{name=\"apple\"} 6\n".repeat(100);
        let packed = super::zstd(&body);
        assert!(packed.len() < body.len() / 5);
        assert_eq!(zstd::bulk::decompress(&packed, body.len()).unwrap(), body);
    }

    #[test]
    fn round_trips() {
        use std::io::Read;
        let body = b"fruit_sold_total{name=\"apple\"} 6\n".repeat(100);
        let packed = super::gzip(&body);
        assert!(packed.len() < body.len() / 5);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(packed.as_slice()).read_to_end(&mut out).unwrap();
        assert_eq!(out, body);
    }
}
