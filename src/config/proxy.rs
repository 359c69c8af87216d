//! The proxy, from the environment, checked before any request.
//!
//! curl's rules for an `https://` URL: `https_proxy`/`HTTPS_PROXY`, else
//! `all_proxy`/`ALL_PROXY` (the first set and non-empty wins); hosts listed
//! in `no_proxy`/`NO_PROXY` are reached directly. `http_proxy`/`HTTP_PROXY`
//! are for `http://` URLs and are not used: the API is `https://`, and plain
//! HTTP is only ever sent to a loopback host, which never goes through a
//! proxy. A proxy URL that cannot be used is an error (exit 2) naming the
//! variable; the HTTP client would otherwise drop it and connect directly.
//! A proxy URL may carry credentials, so it is only ever shown with
//! `user:password@` replaced by `***@`.

use std::fmt;

use ureq::http::Uri;

use super::endpoint::{Endpoint, check_port};
use super::env::Env;
use super::quote::escaped;

/// A proxy URL from a variable, validated and ready for the HTTP client.
#[derive(Clone)]
pub struct ProxySetting {
    variable: &'static str,
    shown: String,
    proxy: ureq::Proxy,
}

impl ProxySetting {
    /// Validates `raw`, the value of `variable`. Errors never contain the
    /// credentials.
    pub fn from_variable(variable: &'static str, raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let shown = format!("'{}'", escaped(&without_credentials(trimmed)));
        if trimmed.chars().any(char::is_control) {
            return Err(format!("{shown} contains a control character"));
        }
        // As curl does, a proxy without a scheme is an HTTP proxy.
        let url = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("http://{trimmed}")
        };
        let uri: Uri = url
            .parse()
            .map_err(|err| format!("{shown} is not a URL: {err}"))?;
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        match scheme.as_str() {
            "http" | "https" => {}
            socks if socks.starts_with("socks") => {
                return Err(format!(
                    "{shown}: SOCKS proxies are not supported; use an http:// or https:// proxy"
                ));
            }
            _ => {
                return Err(format!(
                    "{shown} has an unsupported scheme; use an http:// or https:// proxy"
                ));
            }
        }
        let authority = uri
            .authority()
            .filter(|authority| !authority.host().is_empty())
            .ok_or_else(|| format!("{shown} has no host"))?;
        check_port(authority.as_str()).map_err(|reason| format!("{shown}: {reason}"))?;
        let proxy = ureq::Proxy::new(&url).map_err(|_| {
            format!("{shown} is not a proxy URL (check the percent-encoding of its credentials)")
        })?;
        Ok(ProxySetting {
            variable,
            shown: escaped(&without_credentials(&url)),
            proxy,
        })
    }

    /// The variable it came from.
    pub fn variable(&self) -> &'static str {
        self.variable
    }

    /// The URL without credentials, safe to print.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The proxy for the HTTP client.
    pub fn to_ureq(&self) -> ureq::Proxy {
        self.proxy.clone()
    }
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxySetting")
            .field("variable", &self.variable)
            .field("url", &self.shown)
            .finish()
    }
}

/// How requests reach the API.
#[derive(Debug, Clone)]
pub enum Proxying {
    /// No proxy variable for https is set; the one named, for plain http
    /// only, is set and not used.
    Direct(Option<&'static str>),
    /// Through this proxy.
    Via(ProxySetting),
    /// A proxy is set, but the host is loopback: never proxied.
    LoopbackDirect(ProxySetting),
    /// A proxy is set, but the named no-proxy variable lists the host.
    Excluded(ProxySetting, &'static str),
}

/// A proxy variable that cannot be used: the variable and why.
pub type ProxyError = (&'static str, String);

/// The proxy variables as read and validated once, so that a route can be
/// chosen for every host a run talks to: the control plane (`--api-host`)
/// and, after a restore, the index's own data-plane host, which `NO_PROXY`
/// may list differently.
#[derive(Debug, Clone, Default)]
pub struct ProxyVariables {
    setting: Option<ProxySetting>,
    http_proxy: Option<&'static str>,
    no_proxy: Option<(&'static str, String)>,
}

impl ProxyVariables {
    /// Reads and validates the proxy variables of `env`.
    pub fn from_env(env: &Env) -> Result<Self, ProxyError> {
        let setting = match env.proxies.first() {
            None => None,
            Some((variable, raw)) => Some(
                ProxySetting::from_variable(variable, raw)
                    .map_err(|message| (*variable, message))?,
            ),
        };
        Ok(ProxyVariables {
            setting,
            http_proxy: env.http_proxy,
            no_proxy: env.no_proxy.clone(),
        })
    }

    /// The route to `host` (lower case, IPv6 without brackets); a loopback
    /// host is never proxied.
    pub fn route(&self, host: &str, loopback: bool) -> Proxying {
        let Some(setting) = &self.setting else {
            return Proxying::Direct(self.http_proxy.filter(|_| !loopback));
        };
        if loopback {
            return Proxying::LoopbackDirect(setting.clone());
        }
        match &self.no_proxy {
            Some((name, list)) if no_proxy_matches(list, host) => {
                Proxying::Excluded(setting.clone(), name)
            }
            _ => Proxying::Via(setting.clone()),
        }
    }
}

impl Proxying {
    /// Chooses and validates the proxy for `endpoint`.
    pub fn from_env(env: &Env, endpoint: &Endpoint) -> Result<Self, ProxyError> {
        Ok(ProxyVariables::from_env(env)?.route(endpoint.host(), endpoint.is_loopback()))
    }

    /// The proxy the HTTP client should use, if any.
    pub fn to_ureq(&self) -> Option<ureq::Proxy> {
        match self {
            Proxying::Via(setting) => Some(setting.to_ureq()),
            _ => None,
        }
    }

    /// One line for the log, when a proxy variable is set.
    pub fn describe(&self) -> Option<String> {
        match self {
            Proxying::Direct(None) => None,
            Proxying::Direct(Some(http_proxy)) => Some(format!(
                "directly: {http_proxy} is set, but it is for http:// URLs and the API is \
                 https://; set HTTPS_PROXY to use a proxy"
            )),
            Proxying::Via(setting) => Some(format!(
                "through proxy {} (from {})",
                setting.shown(),
                setting.variable()
            )),
            Proxying::LoopbackDirect(setting) => Some(format!(
                "directly: {} is set, but a loopback host is never proxied",
                setting.variable()
            )),
            Proxying::Excluded(setting, no_proxy) => Some(format!(
                "directly: {} is set, but {no_proxy} lists the host",
                setting.variable()
            )),
        }
    }
}

/// `no_proxy` as curl reads it: names and addresses separated by commas
/// (or spaces); an entry matches the host itself and every name under it
/// (a leading `.` or `*.` is ignored); `*` alone matches every host. IPv6
/// addresses may be bracketed. CIDR ranges are not supported.
pub fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.');
    list.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = entry
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .trim_start_matches('[')
                .trim_end_matches(']')
                .trim_end_matches('.')
                .to_ascii_lowercase();
            !entry.is_empty()
                && (host == entry
                    || host
                        .strip_suffix(entry.as_str())
                        .is_some_and(|rest| rest.ends_with('.')))
        })
}

/// The URL with anything before the last `@` of what follows the scheme
/// replaced by `***`: credentials, even malformed ones (an unencoded `/` or
/// `@` in a password), never get printed. A path with an `@` is cut too.
fn without_credentials(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at + 3),
        None => ("", url),
    };
    match rest.rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn endpoint(host: &str) -> Endpoint {
        Endpoint::from_host(host).unwrap()
    }

    fn env(proxies: &[(&'static str, &str)], no_proxy: Option<&str>) -> Env {
        Env {
            proxies: proxies.iter().map(|&(n, v)| (n, v.to_owned())).collect(),
            no_proxy: no_proxy.map(|list| ("NO_PROXY", list.to_owned())),
            ..Env::default()
        }
    }

    #[test]
    fn every_host_of_a_run_gets_its_own_route_from_the_same_variables() {
        let variables = ProxyVariables::from_env(&env(
            &[("HTTPS_PROXY", "http://proxy:3128")],
            Some("api.pinecone.io"),
        ))
        .unwrap();
        // The control plane is listed in NO_PROXY; an index's data-plane
        // host is not, so it goes through the proxy.
        assert!(matches!(
            variables.route("api.pinecone.io", false),
            Proxying::Excluded(_, "NO_PROXY")
        ));
        assert!(matches!(
            variables.route("drill-abc.svc.aped-1.pinecone.io", false),
            Proxying::Via(_)
        ));
        assert!(matches!(
            variables.route("127.0.0.1", true),
            Proxying::LoopbackDirect(_)
        ));
        let none = ProxyVariables::from_env(&env(&[], None)).unwrap();
        assert!(matches!(none.route("h", false), Proxying::Direct(None)));
        // The same answer as for the control plane's endpoint.
        let e = env(&[("HTTPS_PROXY", "http://proxy:3128")], Some("pinecone.io"));
        assert!(matches!(
            Proxying::from_env(&e, &endpoint("https://api.pinecone.io")).unwrap(),
            Proxying::Excluded(..)
        ));
    }

    #[test]
    fn credentials_are_never_shown() {
        assert_eq!(without_credentials("http://u:p@h:1"), "http://***@h:1");
        assert_eq!(without_credentials("u:p@h:1"), "***@h:1");
        assert_eq!(without_credentials("http://u:p/w@x@h"), "http://***@h");
        assert_eq!(without_credentials("http://h:1/"), "http://h:1/");
        for bad in [
            "http://user:hunter2@proxy:99999",
            "http://user:hun/ter2@proxy:8080",
            "socks5://user:hunter2@proxy:1080",
            "http://user:hunter2@proxy:0",
            "ftp://user:hunter2@proxy",
            "http://user:hunter2@proxy:80\n::error::x",
            "http://user:%FF%FEhunter2@proxy:80",
        ] {
            let err = ProxySetting::from_variable("HTTPS_PROXY", bad).unwrap_err();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(!err.chars().any(char::is_control), "{err:?}");
        }
        let ok = ProxySetting::from_variable("HTTPS_PROXY", "http://u:hunter2@proxy:3128").unwrap();
        assert_eq!(ok.shown(), "http://***@proxy:3128");
        assert!(!format!("{ok:?}").contains("hunter2"));
    }

    #[test]
    fn unusable_proxy_urls_are_refused_with_a_reason() {
        // Regression (issue 8): the client dropped these silently and
        // connected directly.
        for (bad, reason) in [
            ("http://proxy:99999", "not a number from 1 to 65535"),
            ("http://proxy:", "the port after ':' is empty"),
            ("http://proxy:0", "port 0"),
            ("socks5://proxy:1080", "SOCKS proxies are not supported"),
            ("ftp://proxy", "unsupported scheme"),
            ("http://", "not a URL"),
            ("http://exa mple:80", "not a URL"),
            ("not a url", "not a URL"),
        ] {
            let err = ProxySetting::from_variable("ALL_PROXY", bad).unwrap_err();
            assert!(err.contains(reason), "{bad}: {err}");
        }
        for good in [
            "http://proxy:3128",
            "proxy:3128",
            "https://proxy",
            "HTTP://proxy/",
            " proxy ",
        ] {
            assert!(
                ProxySetting::from_variable("ALL_PROXY", good).is_ok(),
                "{good}"
            );
        }
    }

    #[test]
    fn the_first_variable_set_is_used_and_named() {
        let env = env(
            &[("HTTPS_PROXY", "http://a:1"), ("ALL_PROXY", "http://b:2")],
            None,
        );
        let proxying = Proxying::from_env(&env, &endpoint("https://api.pinecone.io")).unwrap();
        assert_eq!(
            proxying.describe().unwrap(),
            "through proxy http://a:1 (from HTTPS_PROXY)"
        );
        assert!(proxying.to_ureq().is_some());
        let bad = self::env(&[("all_proxy", "http://a:99999")], None);
        let (variable, _) = Proxying::from_env(&bad, &endpoint("https://h")).unwrap_err();
        assert_eq!(variable, "all_proxy");
    }

    #[test]
    fn loopback_and_no_proxy_hosts_are_reached_directly() {
        let env = env(
            &[("HTTPS_PROXY", "http://a:1")],
            Some("localhost, .pinecone.io"),
        );
        let loopback = Proxying::from_env(&env, &endpoint("http://127.0.0.1:5080")).unwrap();
        assert!(loopback.to_ureq().is_none());
        let excluded = Proxying::from_env(&env, &endpoint("https://api.pinecone.io")).unwrap();
        assert!(excluded.to_ureq().is_none());
        assert!(
            excluded
                .describe()
                .unwrap()
                .contains("NO_PROXY lists the host")
        );
        let via = Proxying::from_env(&env, &endpoint("https://gw.example.com")).unwrap();
        assert!(via.to_ureq().is_some());
        assert!(
            Proxying::from_env(&Env::default(), &endpoint("https://h"))
                .unwrap()
                .describe()
                .is_none()
        );
        let plain = Env {
            http_proxy: Some("HTTP_PROXY"),
            ..Env::default()
        };
        let direct = Proxying::from_env(&plain, &endpoint("https://h")).unwrap();
        assert!(direct.to_ureq().is_none());
        assert!(
            direct
                .describe()
                .unwrap()
                .contains("HTTP_PROXY is set, but")
        );
    }

    #[test]
    fn no_proxy_matches_like_curl() {
        assert!(no_proxy_matches("*", "api.pinecone.io"));
        assert!(no_proxy_matches("pinecone.io", "api.pinecone.io"));
        assert!(no_proxy_matches(".pinecone.io", "pinecone.io"));
        assert!(no_proxy_matches("*.pinecone.io", "api.pinecone.io"));
        assert!(no_proxy_matches("a.com,API.PINECONE.IO", "api.pinecone.io"));
        assert!(no_proxy_matches("a.com pinecone.io", "api.pinecone.io"));
        assert!(no_proxy_matches("[::1]", "::1"));
        assert!(!no_proxy_matches("necone.io", "api.pinecone.io"));
        assert!(!no_proxy_matches("api.pinecone.io", "pinecone.io"));
        assert!(!no_proxy_matches("", "api.pinecone.io"));
        assert!(!no_proxy_matches(",,", "api.pinecone.io"));
    }
}
