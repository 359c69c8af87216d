//! Colour for a person at a terminal: ANSI SGR codes, only when the log
//! goes to a terminal and `NO_COLOR` is unset (`Env::colour`). Shared by the
//! log's verdict and the live status line, so neither depends on the other.

/// What a piece of text means, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// Ready: green.
    Good,
    /// Cancelled, warnings: yellow.
    Warn,
    /// Every other ending: red.
    Bad,
    /// The status in the live line: bold.
    Strong,
}

/// `text` in the colour of `paint` when `colour` is on (a terminal without
/// `NO_COLOR`), else `text` as it is.
pub fn paint(colour: bool, paint: Paint, text: &str) -> String {
    if !colour {
        return text.to_owned();
    }
    let code = match paint {
        Paint::Good => "32",
        Paint::Warn => "33",
        Paint::Bad => "31",
        Paint::Strong => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}
