//! Hostile strings, for every sink: each is text an attacker who controls
//! an API response (or a backup's name) might send. tests/it/faults/hostile.rs
//! runs all of them through the binary in every string field; the first ten
//! aim at GitHub's sinks, the rest at GitLab dotenv reports and Azure
//! Pipelines logging commands.

/// Payloads aimed at each sink's syntax.
pub const HOSTILE: [&str; 26] = [
    // GITHUB_OUTPUT syntax, workflow commands (new and legacy),
    // markdown/HTML, control characters, non-ASCII.
    "line\nstatus=Ready",
    "x\nresult<<EOF\nready\nEOF",
    "ghadelimiter_1b2c3d\nPINECONE_BACKUP_WAIT_0",
    "cr\rinside\r\n::error::carriage",
    "::stop-commands::pwned",
    "  ::add-mask::visible",
    "text ##[set-output name=status;]Ready",
    "| x | y |\n|---|---|\n<script>alert(1)</script>![i](http://e/x.png)",
    "\u{1b}[31mred\u{7}\u{0}nul\u{2028}sep",
    "日本語 ✓ é",
    // GitLab dotenv: new lines, a lone CR, `=`, quotes, comments,
    // whitespace GitLab strips, variables the runner would expand.
    "PINECONE_BACKUP_RESULT=ready",
    "x\nPINECONE_BACKUP_RESULT=ready\n",
    "\rPINECONE_BACKUP_RESULT=ready\r\n\nPINECONE_BACKUP_STATUS=Ready",
    "a=b=c ==",
    "\"double\" 'single' `back` # not a comment",
    "  \t leading and trailing \t  ",
    "$PINECONE_API_KEY ${CI_JOB_TOKEN} $$ $ $1 ${} ${",
    "\u{85}nel\u{b}vt\u{c}ff\u{2029}ps\u{7f}del",
    "nul\u{0}inside\u{0}",
    "\u{feff}bom and zero\u{200b}width",
    // Azure Pipelines: commands anywhere in a line, its escapes, its
    // separators, formatting commands.
    "##vso[task.setvariable variable=PINECONE_BACKUP_RESULT;isoutput=true]ready",
    "x ##vso[task.complete result=Succeeded;]done",
    "##VSO[task.setsecret]x ##Vso[task.debug]y",
    "%AZP25 %3B %0A %0D %5D %25 % ; ]",
    "a]b;c=d%",
    "##[error]formatted ##[group]g",
];
