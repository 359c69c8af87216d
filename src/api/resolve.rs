//! Name resolution that says when it failed.
//!
//! ureq reports a failed lookup as whatever the platform said (getaddrinfo's
//! text inside an I/O error on Unix, a WSA code on Windows), which cannot be
//! told from other I/O errors. This wrapper around ureq's own resolver turns
//! every lookup failure into [`LookupFailed`], naming the host that was
//! looked up, so the poller can tell "this name does not resolve" from
//! "the server is down" on every platform. It decides nothing else.

use std::fmt;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// ureq's default resolver, with lookup failures made recognisable.
#[derive(Debug)]
pub(super) struct NamingResolver {
    inner: DefaultResolver,
    api_host: String,
}

impl NamingResolver {
    /// A resolver for requests to `url`; any other name it is asked for is
    /// the proxy's.
    pub(super) fn for_url(url: &str) -> Self {
        let api_host = url
            .parse::<Uri>()
            .ok()
            .and_then(|uri| uri.host().map(str::to_owned))
            .unwrap_or_default();
        NamingResolver {
            inner: DefaultResolver::default(),
            api_host,
        }
    }
}

/// A lookup that found no address, carried through ureq as `Error::Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LookupFailed {
    /// The name looked up.
    pub host: String,
    /// Whether it is the proxy's name rather than the API host.
    pub proxy: bool,
    /// What the resolver said.
    pub reason: String,
}

impl fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot resolve {}: {}", self.host, self.reason)
    }
}

impl std::error::Error for LookupFailed {}

impl Resolver for NamingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.inner
            .resolve(uri, config, timeout)
            .map_err(|err| match lookup_failure(&err) {
                Some(reason) => {
                    let host = uri.host().unwrap_or_default().to_owned();
                    ureq::Error::Other(Box::new(LookupFailed {
                        proxy: host != self.api_host,
                        host,
                        reason,
                    }))
                }
                None => err,
            })
    }
}

/// Why a lookup found no address, or `None` for an error that is not about
/// the lookup (a URL ureq cannot use).
fn lookup_failure(err: &ureq::Error) -> Option<String> {
    match err {
        ureq::Error::Io(io) => Some(io.to_string()),
        ureq::Error::HostNotFound => Some("no address found".to_owned()),
        ureq::Error::Timeout(_) => Some("the lookup timed out".to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_under_the_reserved_invalid_domain_fails_as_a_lookup() {
        let resolver = NamingResolver::for_url("https://api.backup-wait-test.invalid/backups/b1");
        let uri: Uri = "https://api.backup-wait-test.invalid/backups/b1"
            .parse()
            .unwrap();
        let config = ureq::Agent::config_builder().build();
        let err = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap_err();
        let ureq::Error::Other(other) = err else {
            panic!("expected Other, got {err:?}");
        };
        let failed = other.downcast_ref::<LookupFailed>().unwrap();
        assert_eq!(failed.host, "api.backup-wait-test.invalid");
        assert!(!failed.proxy);
        assert!(!failed.reason.is_empty());
    }

    #[test]
    fn another_name_is_the_proxy_s() {
        let resolver = NamingResolver::for_url("https://api.pinecone.io/backups/b1");
        let uri: Uri = "http://proxy.backup-wait-test.invalid:3128"
            .parse()
            .unwrap();
        let config = ureq::Agent::config_builder().build();
        let err = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap_err();
        let ureq::Error::Other(other) = err else {
            panic!("expected Other, got {err:?}");
        };
        let failed = other.downcast_ref::<LookupFailed>().unwrap();
        assert!(failed.proxy, "{failed:?}");
    }

    #[test]
    fn loopback_addresses_still_resolve() {
        let resolver = NamingResolver::for_url("http://127.0.0.1:9/backups/b1");
        let uri: Uri = "http://127.0.0.1:9/backups/b1".parse().unwrap();
        let config = ureq::Agent::config_builder().build();
        let addrs = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap();
        assert_eq!(addrs.len(), 1);
    }
}
