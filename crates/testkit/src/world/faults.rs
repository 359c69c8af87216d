//! Scripted departures from the world's normal answers: which requests
//! (method, path pattern, occurrence) and what happens to them (another
//! reply instead, or the normal effect on the world followed by another
//! reply, such as a reset after a create).

use crate::control_plane::Reply;

/// Which requests a fault applies to, before saying what it does.
#[derive(Debug, Clone)]
pub struct Matcher {
    method: String,
    path: String,
    which: Which,
}

#[derive(Debug, Clone, Copy)]
enum Which {
    Every,
    Nth(usize),
    First(usize),
    FromNth(usize),
}

/// A scripted fault: register it with `FakePinecone::fault`.
#[derive(Debug, Clone)]
pub struct Fault {
    matcher: Matcher,
    effect: Effect,
    seen: usize,
}

/// What a fault does to a request it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this reply; the world does not act (nothing is created).
    Instead(Reply),
    /// Let the world act as it would (a POST creates its backup, restore
    /// job and index), then send this reply instead of the world's answer:
    /// `Reply::Reset(vec![])` is "created, then the connection dropped",
    /// `Reply::Hang` is "created, then no answer until the client gives up".
    AfterActing(Reply),
}

impl Fault {
    /// Requests with this method (`GET`, `POST`, or `*` for any) whose path
    /// (without the query) matches `path`, where a `*` segment matches any
    /// one segment: `/indexes/*/backups`, `/backups/*/create-index`,
    /// `/restore-jobs/*`, `/describe_index_stats`. Every such request until
    /// narrowed with `nth`, `first` or `from_nth`.
    pub fn on(method: &str, path: &str) -> Matcher {
        Matcher {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            which: Which::Every,
        }
    }

    /// `Fault::on("GET", path)`.
    pub fn get(path: &str) -> Matcher {
        Fault::on("GET", path)
    }

    /// `Fault::on("POST", path)`.
    pub fn post(path: &str) -> Matcher {
        Fault::on("POST", path)
    }

    /// Counts a request that matches and says what to do with it, if this
    /// occurrence is one the fault applies to. Every registered fault counts
    /// every request it matches, whether or not an earlier fault applied.
    pub(crate) fn observe(&mut self, method: &str, path: &str) -> Option<&Effect> {
        if !self.matcher.matches(method, path) {
            return None;
        }
        self.seen += 1;
        let applies = match self.matcher.which {
            Which::Every => true,
            Which::Nth(n) => self.seen == n,
            Which::First(n) => self.seen <= n,
            Which::FromNth(n) => self.seen >= n,
        };
        applies.then_some(&self.effect)
    }
}

impl Matcher {
    /// Only the `n`th matching request (1-based).
    pub fn nth(mut self, n: usize) -> Matcher {
        assert!(n >= 1, "occurrences count from 1");
        self.which = Which::Nth(n);
        self
    }

    /// The first `n` matching requests.
    pub fn first(mut self, n: usize) -> Matcher {
        self.which = Which::First(n);
        self
    }

    /// The `n`th matching request and every later one.
    pub fn from_nth(mut self, n: usize) -> Matcher {
        assert!(n >= 1, "occurrences count from 1");
        self.which = Which::FromNth(n);
        self
    }

    /// Answer with `reply`; the world does not act.
    pub fn instead(self, reply: Reply) -> Fault {
        self.effect(Effect::Instead(reply))
    }

    /// Let the world act, then answer with `reply`.
    pub fn after_acting(self, reply: Reply) -> Fault {
        self.effect(Effect::AfterActing(reply))
    }

    /// Let the world act, then reset the connection without a byte of
    /// answer: the create happened, the client saw a reset.
    pub fn reset_after_acting(self) -> Fault {
        self.after_acting(Reply::Reset(Vec::new()))
    }

    /// Either effect.
    pub fn effect(self, effect: Effect) -> Fault {
        Fault {
            matcher: self,
            effect,
            seen: 0,
        }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        (self.method == "*" || self.method.eq_ignore_ascii_case(method))
            && path_matches(&self.path, path)
    }
}

/// `pattern` and `path` have as many segments, each equal or `*` in the
/// pattern.
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(want, got)| *want == "*" || want == got)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applies(fault: &mut Fault, method: &str, path: &str) -> bool {
        fault.observe(method, path).is_some()
    }

    #[test]
    fn patterns_match_whole_segments() {
        assert!(path_matches("/indexes/*/backups", "/indexes/prod/backups"));
        assert!(!path_matches("/indexes/*/backups", "/indexes/prod"));
        assert!(!path_matches("/indexes/*/backups", "/indexes/a/b/backups"));
        assert!(path_matches("/backups/*", "/backups/b1"));
        assert!(!path_matches("/backups/*", "/backups"));
        assert!(path_matches("/backups", "/backups"));
    }

    #[test]
    fn nth_counts_only_matching_requests() {
        let mut fault = Fault::post("/indexes/*/backups")
            .nth(2)
            .instead(Reply::text(500, "x"));
        assert!(!applies(&mut fault, "GET", "/indexes/prod/backups"));
        assert!(!applies(&mut fault, "POST", "/indexes/prod/backups"));
        assert!(applies(&mut fault, "post", "/indexes/prod/backups"));
        assert!(!applies(&mut fault, "POST", "/indexes/prod/backups"));
    }

    #[test]
    fn first_and_from_nth_bound_the_occurrences() {
        let mut first = Fault::on("*", "/backups/*").first(2).instead(Reply::Hang);
        let hits: Vec<bool> = (0..4)
            .map(|_| applies(&mut first, "GET", "/backups/b"))
            .collect();
        assert_eq!(hits, [true, true, false, false]);
        let mut later = Fault::get("/backups/*").from_nth(3).reset_after_acting();
        let hits: Vec<bool> = (0..4)
            .map(|_| applies(&mut later, "GET", "/backups/b"))
            .collect();
        assert_eq!(hits, [false, false, true, true]);
    }
}
