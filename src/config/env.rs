//! The process environment, read once. Flags with environment fallbacks are
//! clap's business; this struct holds the rest: where GitHub wants outputs,
//! whether we run under Actions or Azure Pipelines or at a terminal, extra
//! headers, proxies, extra CA certificates. Tests build it by hand.

use std::ffi::OsString;
use std::io::IsTerminal;
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
    /// `PINECONE_BACKUP_WAIT_DOTENV`: where the GitLab dotenv report goes
    /// when the command line could not be parsed (clap reads the variable
    /// itself otherwise, as the fallback of `--dotenv`). `main` puts a
    /// `--dotenv` found on a refused command line here too.
    pub dotenv: Option<PathBuf>,
    /// `TF_BUILD=True`: Azure Pipelines; print its logging commands and keep
    /// `##vso[` out of every other line.
    pub azure: bool,
    /// `CI` set to anything but `false` or `0`: a CI system, not a person.
    pub ci: bool,
    /// `TERM=dumb`: a terminal that cannot move the cursor.
    pub dumb_terminal: bool,
    /// `NO_COLOR` set and not empty (<https://no-color.org>).
    pub no_color: bool,
    /// Whether stderr is a terminal.
    pub stderr_terminal: bool,
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
    /// Reads the real process environment, and whether stderr is a
    /// terminal.
    pub fn from_process() -> Self {
        Env {
            stderr_terminal: std::io::stderr().is_terminal(),
            ..Self::from_lookup(|name| std::env::var_os(name))
        }
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
            dotenv: non_empty("PINECONE_BACKUP_WAIT_DOTENV").map(PathBuf::from),
            azure: crate::report::azure::detected(
                non_empty("TF_BUILD").as_deref().and_then(|v| v.to_str()),
            ),
            ci: non_empty("CI").is_some_and(|v| !(v.eq_ignore_ascii_case("false") || v == "0")),
            dumb_terminal: non_empty("TERM").is_some_and(|v| v == "dumb"),
            no_color: non_empty("NO_COLOR").is_some(),
            stderr_terminal: false,
        }
    }

    /// Whether a person watches stderr: a terminal that can redraw a line,
    /// outside any CI system. Then the log keeps one live status line.
    pub fn live_terminal(&self) -> bool {
        self.stderr_terminal
            && !self.dumb_terminal
            && !self.ci
            && !self.github_actions
            && !self.azure
    }

    /// Whether the log may use colour: only on a live terminal, and never
    /// with `NO_COLOR`.
    pub fn colour(&self) -> bool {
        self.live_terminal() && !self.no_color
    }

    /// Whether log lines carry the wall-clock time: plain logs (pipes, files,
    /// CI systems that do not stamp lines themselves). The GitHub runner and
    /// the Azure agent stamp every line; a person at a terminal has a clock.
    pub fn timestamps(&self) -> bool {
        !self.github_actions && !self.azure && !self.live_terminal()
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

    fn env_of(vars: &[(&str, &str)]) -> Env {
        Env::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn ci_systems_are_recognised() {
        assert!(env_of(&[("TF_BUILD", "True")]).azure);
        assert!(!env_of(&[("TF_BUILD", "1")]).azure);
        assert!(env_of(&[("CI", "true")]).ci);
        assert!(env_of(&[("CI", "1")]).ci);
        assert!(!env_of(&[("CI", "false")]).ci);
        assert!(!env_of(&[("CI", "FALSE")]).ci);
        assert!(!env_of(&[("CI", "0")]).ci);
        assert!(!env_of(&[("CI", "")]).ci);
        assert_eq!(
            env_of(&[("PINECONE_BACKUP_WAIT_DOTENV", "b.env")]).dotenv,
            Some(PathBuf::from("b.env"))
        );
        assert_eq!(env_of(&[("PINECONE_BACKUP_WAIT_DOTENV", "")]).dotenv, None);
    }

    #[test]
    fn a_live_line_and_colour_only_for_a_person_at_a_terminal() {
        let at_terminal = |vars: &[(&str, &str)]| Env {
            stderr_terminal: true,
            ..env_of(vars)
        };
        let person = at_terminal(&[("TERM", "xterm-256color")]);
        assert!(person.live_terminal() && person.colour() && !person.timestamps());
        let no_color = at_terminal(&[("NO_COLOR", "1")]);
        assert!(no_color.live_terminal() && !no_color.colour());
        // NO_COLOR counts only when it is not empty.
        assert!(at_terminal(&[("NO_COLOR", "")]).colour());
        for vars in [
            &[("TERM", "dumb")][..],
            &[("CI", "true")],
            &[("GITHUB_ACTIONS", "true")],
            &[("TF_BUILD", "True")],
        ] {
            let env = at_terminal(vars);
            assert!(!env.live_terminal() && !env.colour(), "{vars:?}");
        }
        assert!(at_terminal(&[("CI", "true")]).timestamps());
        assert!(!at_terminal(&[("TF_BUILD", "True")]).timestamps());
        let pipe = env_of(&[]);
        assert!(!pipe.live_terminal() && !pipe.colour() && pipe.timestamps());
        assert!(!env_of(&[("GITHUB_ACTIONS", "true")]).timestamps());
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
