//! The Prometheus pull endpoint: a small HTTP server on its own thread that
//! renders what the provider holds on every scrape of `/metrics`.
//! (Stub: being written; see the note in the session log.)

use super::snapshot::SnapshotReader;
use crate::error::{Error, Result};
use std::net::SocketAddr;

pub struct Server {
    addr: SocketAddr,
}

impl Server {
    pub fn start(_reader: SnapshotReader, addr: SocketAddr) -> Result<Server> {
        Err(Error::config("prometheus", format!("the Prometheus endpoint ({addr}) is not available yet")))
    }
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn stop(self) {}
}
