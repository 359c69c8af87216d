//! The process environment, read once. Flags with environment fallbacks are
//! clap's business; this struct holds the rest: where GitHub wants outputs,
//! whether we run under Actions, extra headers, proxies, extra CA
//! certificates. Tests build it by hand.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variables the waiter reads besides its flags' fallbacks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// `GITHUB_OUTPUT`: file to append step outputs to.
    pub github_output: Option<PathBuf>,
    /// `GITHUB_STEP_SUMMARY`: file to append the markdown summary to.
    pub github_step_summary: Option<PathBuf>,
    /// `GITHUB_ACTIONS=true`: print workflow commands (mask, group, annotations).
    pub github_actions: bool,
    /// `PINECONE_ADDITIONAL_HEADERS`: JSON object of extra request headers.
    pub additional_headers: Option<String>,
    /// The proxy variables that apply to an `https://` URL, in the order
    /// curl consults them (`PROXY_VARIABLES`), with their values.
    pub proxies: Vec<(&'static str, String)>,
    /// `no_proxy`, else `NO_PROXY`: hosts reached without the proxy.
    pub no_proxy: Option<(&'static str, String)>,
    /// `http_proxy` or `HTTP_PROXY`, if set. Never used: it is for `http://`
    /// URLs and the API is `https://`; named in the log so nobody wonders.
    pub http_proxy: Option<&'static str>,
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR`: CA certificates to trust besides
    /// the bundled roots.
    pub ca_certs: CaCertPaths,
}

/// Proxy variables for an `https://` URL, in curl's order: the
/// scheme-specific one, then the catch-all; lower case before upper case.
pub const PROXY_VARIABLES: [&str; 4] = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];

/// Lists of hosts that bypass the proxy, in curl's order.
const NO_PROXY_VARIABLES: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// Proxy variables for `http://` URLs, which this program never requests
/// through a proxy (plain HTTP is only for loopback hosts).
const HTTP_PROXY_VARIABLES: [&str; 2] = ["http_proxy", "HTTP_PROXY"];

/// Where the user keeps extra CA certificates, named as OpenSSL, curl and
/// most TLS tools name them, so one setting serves every tool on a runner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaCertPaths {
    /// `SSL_CERT_FILE`: one PEM file with any number of certificates.
    pub file: Option<PathBuf>,
    /// `SSL_CERT_DIR`: directories of PEM files, separated as in `PATH`.
    pub dirs: Vec<PathBuf>,
}

impl CaCertPaths {
    /// Neither variable is set.
    pub fn is_empty(&self) -> bool {
        self.file.is_none() && self.dirs.is_empty()
    }

    fn from_lookup(non_empty: impl Fn(&str) -> Option<OsString>) -> Self {
        CaCertPaths {
            file: non_empty("SSL_CERT_FILE").map(PathBuf::from),
            dirs: non_empty("SSL_CERT_DIR")
                .map(|dirs| {
                    std::env::split_paths(&dirs)
                        .filter(|dir| !dir.as_os_str().is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

impl Env {
    /// Reads the real process environment.
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    /// Builds the struct from any lookup function; empty values count as unset,
    /// since a workflow passes `""` for an input that was not given.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Self {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.is_empty());
        Env {
            github_output: non_empty("GITHUB_OUTPUT").map(PathBuf::from),
            github_step_summary: non_empty("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            github_actions: non_empty("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            additional_headers: non_empty("PINECONE_ADDITIONAL_HEADERS")
                .map(|v| v.to_string_lossy().into_owned()),
            proxies: PROXY_VARIABLES
                .iter()
                .filter_map(|&name| Some((name, non_empty(name)?.to_string_lossy().into_owned())))
                .collect(),
            no_proxy: NO_PROXY_VARIABLES
                .iter()
                .find_map(|&name| Some((name, non_empty(name)?.to_string_lossy().into_owned()))),
            http_proxy: HTTP_PROXY_VARIABLES
                .into_iter()
                .find(|name| non_empty(name).is_some()),
            ca_certs: CaCertPaths::from_lookup(non_empty),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_count_as_unset() {
        let env = Env::from_lookup(|name| match name {
            "GITHUB_OUTPUT" => Some("".into()),
            "GITHUB_STEP_SUMMARY" => Some("/tmp/summary.md".into()),
            "GITHUB_ACTIONS" => Some("true".into()),
            _ => None,
        });
        assert_eq!(env.github_output, None);
        assert_eq!(
            env.github_step_summary,
            Some(PathBuf::from("/tmp/summary.md"))
        );
        assert!(env.github_actions);
    }

    #[test]
    fn ca_cert_paths_come_from_ssl_cert_file_and_a_list_of_ssl_cert_dirs() {
        let env = Env::from_lookup(|name| match name {
            "SSL_CERT_FILE" => Some("/etc/corp/ca.pem".into()),
            "SSL_CERT_DIR" => Some("/etc/corp/certs::/usr/local/certs".into()),
            _ => None,
        });
        assert_eq!(
            env.ca_certs,
            CaCertPaths {
                file: Some(PathBuf::from("/etc/corp/ca.pem")),
                dirs: vec![
                    PathBuf::from("/etc/corp/certs"),
                    PathBuf::from("/usr/local/certs")
                ],
            }
        );
        let unset = Env::from_lookup(|name| name.starts_with("SSL_CERT_").then(|| "".into()));
        assert!(unset.ca_certs.is_empty());
    }

    #[test]
    fn only_the_exact_value_true_means_github_actions() {
        let env = Env::from_lookup(|name| (name == "GITHUB_ACTIONS").then(|| "1".into()));
        assert!(!env.github_actions);
    }

    #[test]
    fn proxy_variables_are_read_in_curls_order() {
        let env = Env::from_lookup(|name| match name {
            "ALL_PROXY" => Some("http://all:1".into()),
            "HTTPS_PROXY" => Some("http://upper:1".into()),
            "https_proxy" => Some("".into()),
            "NO_PROXY" => Some("example.com".into()),
            "HTTP_PROXY" => Some("http://plain:1".into()),
            _ => None,
        });
        assert_eq!(
            env.proxies,
            vec![
                ("HTTPS_PROXY", "http://upper:1".to_owned()),
                ("ALL_PROXY", "http://all:1".to_owned())
            ]
        );
        assert_eq!(env.no_proxy, Some(("NO_PROXY", "example.com".to_owned())));
        assert_eq!(env.http_proxy, Some("HTTP_PROXY"));
    }
}
