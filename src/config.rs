//! Configuration: `vft.toml`, or `[tool.vft]` in `pyproject.toml`, merged with the
//! command line into the [`Settings`] of a run.
//!
//! ```toml
//! target = "azure"                  # openai | azure
//! method = "auto"                   # auto | sft | dpo | rft (auto: per file, from its first example)
//! select = ["VFT"]                  # codes, code prefixes (`VFT2`) or rule names
//! ignore = ["VFT308", "missing-user-message"]
//! fail-on = "error"                 # error | warning
//! faces = "off"                     # on | off: screen images for faces (image-shows-face)
//! max-per-rule = 50                 # findings shown per rule; 0 shows all
//! max-diagnostics = 0               # findings shown in all; 0 shows all
//! info-per-line = false             # every info finding on its line, not once per file
//!
//! [severity]                        # error | warning | info | off, by code, prefix or name
//! VFT215 = "error"
//! missing-system-message = "off"
//!
//! [limits]                          # may only tighten the target's own limits
//! max-images-per-example = 5
//! max-image-bytes = 5_000_000
//! min-examples = 100
//! ```
//!
//! The file is found by walking up from the directory of the first file checked (the
//! working directory for standard input): in each directory `vft.toml`, then a
//! `pyproject.toml` that has a `[tool.vft]` table. `--config PATH` names one; `--isolated`
//! uses none. Unknown keys and bad values are errors that point into the file.
//!
//! Precedence: command line over the file over the defaults. Rule selection works in
//! layers, as ruff's does: the defaults enable every rule; a layer's `select` replaces the
//! set, its `ignore` removes from it; within a layer the more specific selector wins (a
//! code or name over a prefix, a longer prefix over a shorter one), `ignore` on a tie.
//! The file is one layer and the command line (`--select`, `--ignore`) the next.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::method::MethodChoice;
use crate::rules::{REGISTRY, Rule, RulePlan};
use crate::target::{Limits, Target};

/// Findings shown per rule by default, in the formats read by people.
pub const DEFAULT_MAX_PER_RULE: u64 = 50;

/// The lowest severity that makes the exit status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
}

/// Whether images are screened for faces (`image-shows-face`, the forecast's probable
/// skips). Off by default: screening decodes every image, hundreds of times the cost of
/// the header checks (README, Performance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Faces {
    On,
    #[default]
    Off,
}

impl Faces {
    pub fn as_str(self) -> &'static str {
        match self {
            Faces::On => "on",
            Faces::Off => "off",
        }
    }
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
        }
    }
}

/// A severity override: a level, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Error,
    Warning,
    Info,
    Off,
}

impl Level {
    fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Off => None,
        }
    }
}

/// The file's keys, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    target: Option<Spanned<Target>>,
    method: Option<MethodChoice>,
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    fail_on: Option<FailOn>,
    faces: Option<Faces>,
    max_per_rule: Option<u64>,
    max_diagnostics: Option<u64>,
    info_per_line: Option<bool>,
    severity: Option<BTreeMap<Spanned<String>, Level>>,
    limits: Option<FileLimits>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileLimits {
    max_images_per_example: Option<Spanned<u64>>,
    max_image_bytes: Option<Spanned<u64>>,
    min_examples: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
}

#[derive(Deserialize)]
struct PyprojectTool {
    vft: Option<FileConfig>,
}

/// A configuration file, read and parsed.
#[derive(Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    text: String,
    config: FileConfig,
}

/// A configuration error, located in its file when it has a place there.
#[derive(Debug)]
pub struct ConfigError {
    /// The file, or `None` for a command-line value.
    pub path: Option<PathBuf>,
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    fn cli(message: String, help: Option<String>) -> Self {
        Self {
            path: None,
            text: String::new(),
            span: None,
            message,
            help,
        }
    }

    /// Renders the error as a miette report: the file's line with the value underlined.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        let mut diagnostic = miette::MietteDiagnostic::new(self.message.clone())
            .with_code("vft::config")
            .with_severity(miette::Severity::Error);
        if let Some(help) = &self.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        let mut out = String::new();
        let result = match (&self.path, &self.span) {
            (Some(path), Some(span)) => {
                diagnostic = diagnostic.with_label(miette::LabeledSpan::at(span.clone(), "here"));
                let report = miette::Report::new(diagnostic).with_source_code(
                    miette::NamedSource::new(path.display().to_string(), self.text.clone()),
                );
                handler.render_report(&mut out, report.as_ref())
            }
            (Some(path), None) => {
                diagnostic.message = format!("{}: {}", path.display(), self.message);
                handler.render_report(&mut out, &diagnostic)
            }
            (None, _) => handler.render_report(&mut out, &diagnostic),
        };
        if result.is_err() {
            out = format!("vft: error: {}\n", self.message);
        }
        out
    }
}

impl ConfigFile {
    /// Reads a configuration file: a `pyproject.toml` is read for its `[tool.vft]` table,
    /// any other file as a whole. `Ok(None)`: a `pyproject.toml` without `[tool.vft]`.
    pub fn read(path: &Path) -> Result<Option<Self>, ConfigError> {
        let text = fs::read_to_string(path).map_err(|error| ConfigError {
            path: Some(path.to_owned()),
            text: String::new(),
            span: None,
            message: format!("cannot read the configuration: {error}"),
            help: None,
        })?;
        Self::parse(path, text)
    }

    /// Parses the text of the configuration file at `path` (see [`ConfigFile::read`]).
    pub fn parse(path: &Path, text: String) -> Result<Option<Self>, ConfigError> {
        let parse_error = |error: toml::de::Error| ConfigError {
            path: Some(path.to_owned()),
            span: error.span(),
            message: error.message().trim_end().to_owned(),
            help: Some("the README's configuration reference lists every key".to_owned()),
            text: text.clone(),
        };
        let config = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
            let pyproject: Pyproject = toml::from_str(&text).map_err(parse_error)?;
            match pyproject.tool.and_then(|t| t.vft) {
                Some(config) => config,
                None => return Ok(None),
            }
        } else {
            toml::from_str(&text).map_err(parse_error)?
        };
        Ok(Some(Self {
            path: path.to_owned(),
            text,
            config,
        }))
    }

    /// The first `vft.toml`, or `pyproject.toml` with `[tool.vft]`, in `dir` or above.
    pub fn discover(dir: &Path) -> Result<Option<Self>, ConfigError> {
        for dir in dir.ancestors() {
            for name in ["vft.toml", "pyproject.toml"] {
                let candidate = dir.join(name);
                if candidate.is_file()
                    && let Some(config) = Self::read(&candidate)?
                {
                    return Ok(Some(config));
                }
            }
        }
        Ok(None)
    }

    fn error(&self, span: Range<usize>, message: String, help: Option<String>) -> ConfigError {
        ConfigError {
            path: Some(self.path.clone()),
            text: self.text.clone(),
            span: Some(span),
            message,
            help,
        }
    }
}

/// What the command line says about the configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config PATH`.
    pub config: Option<PathBuf>,
    /// `--isolated`: read no configuration file.
    pub isolated: bool,
    pub target: Option<Target>,
    pub method: Option<MethodChoice>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub fail_on: Option<FailOn>,
    pub faces: Option<Faces>,
    pub max_per_rule: Option<u64>,
    pub max_diagnostics: Option<u64>,
    /// `--info-per-line` (`None`: not given).
    pub info_per_line: Option<bool>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File,
    CommandLine,
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Self { value, origin }
    }
}

/// The effective settings of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file read, if any.
    pub file: Option<PathBuf>,
    pub target: Setting<Target>,
    /// The training method files are checked as (`auto`: decided per file).
    pub method: Setting<MethodChoice>,
    pub plan: RulePlan,
    /// Where each rule's state (in registry order) was last set.
    pub rule_origins: Vec<Origin>,
    pub fail_on: Setting<FailOn>,
    /// Screen images for faces (`faces`, `--faces`).
    pub faces: Setting<Faces>,
    /// As configured, 0 showing all; `None`: the format's default ([`DEFAULT_MAX_PER_RULE`],
    /// or all for JSON and SARIF).
    pub max_per_rule: Setting<Option<u64>>,
    /// 0 shows all.
    pub max_diagnostics: Setting<u64>,
    /// Every info finding on its line; by default one per rule and file, with the count.
    pub info_per_line: Setting<bool>,
    pub limits: Setting<Limits>,
}

/// A rule selector: a code, a code prefix or a rule name.
#[derive(Debug, Clone, Copy)]
struct Selector<'a> {
    text: &'a str,
    exact: bool,
}

impl<'a> Selector<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let upper = text.to_ascii_uppercase();
        if REGISTRY.iter().any(|r| r.name == text || r.code == upper) {
            return Some(Self { text, exact: true });
        }
        (upper.len() >= 3 && REGISTRY.iter().any(|r| r.code.starts_with(&upper)))
            .then_some(Self { text, exact: false })
    }

    fn matches(self, rule: &Rule) -> bool {
        if self.exact {
            rule.name == self.text || rule.code.eq_ignore_ascii_case(self.text)
        } else {
            rule.code
                .get(..self.text.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(self.text))
        }
    }

    /// Higher is more specific.
    fn specificity(self) -> usize {
        if self.exact {
            usize::MAX
        } else {
            self.text.len()
        }
    }
}

fn unknown_selector_help(text: &str) -> String {
    let close = REGISTRY
        .iter()
        .find(|r| r.name.contains(text) || text.contains(r.name))
        .map(|r| format!("did you mean `{}` ({})? ", r.name, r.code))
        .unwrap_or_default();
    format!(
        "{close}use a code (`VFT202`), a code prefix (`VFT2`) or a name; `vft rules` lists them"
    )
}

/// One layer of selection: `select` replaces the set (when given), `ignore` removes.
fn apply_layer(
    enabled: &mut [bool],
    origins: &mut [Origin],
    origin: &Origin,
    select: Option<&[Selector<'_>]>,
    ignore: &[Selector<'_>],
) {
    for (index, rule) in REGISTRY.iter().enumerate() {
        let best = |selectors: &[Selector<'_>]| {
            selectors
                .iter()
                .filter(|s| s.matches(rule))
                .map(|s| s.specificity())
                .max()
        };
        let selected = select.and_then(best);
        let ignored = best(ignore);
        let state = match (select.is_some(), selected, ignored) {
            (_, Some(s), Some(i)) => s > i,
            (_, Some(_), None) => true,
            (true, None, _) | (false, None, Some(_)) => false,
            (false, None, None) => continue,
        };
        enabled[index] = state;
        origins[index] = origin.clone();
    }
}

impl Settings {
    /// Finds and reads the configuration (unless `--isolated`), then merges the flags.
    /// `start` is where discovery begins: the first checked file's directory, or the
    /// working directory.
    pub fn load(start: &Path, overrides: &Overrides) -> Result<Self, ConfigError> {
        let file = match (&overrides.config, overrides.isolated) {
            (Some(path), _) => Some(ConfigFile::read(path)?.ok_or_else(|| ConfigError {
                path: Some(path.clone()),
                text: String::new(),
                span: None,
                message: "has no `[tool.vft]` table".to_owned(),
                help: None,
            })?),
            (None, true) => None,
            (None, false) => ConfigFile::discover(start)?,
        };
        Self::resolve(file.as_ref(), overrides)
    }

    /// Merges a configuration file (if any) with the command line.
    pub fn resolve(file: Option<&ConfigFile>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let empty = FileConfig::default();
        let config = file.map_or(&empty, |f| &f.config);
        let located = |span: Range<usize>, message: String, help: Option<String>| match file {
            Some(file) => file.error(span, message, help),
            None => ConfigError::cli(message, help),
        };

        let target = pick(
            overrides.target,
            config.target.as_ref().map(|t| *t.get_ref()),
            Target::default(),
        );

        // Rule selection: the file's layer, then the command line's.
        let mut enabled = vec![true; REGISTRY.len()];
        let mut rule_origins = vec![Origin::Default; REGISTRY.len()];
        let select = config
            .select
            .as_deref()
            .map(|list| file_selectors(list, &located))
            .transpose()?;
        let ignore = file_selectors(config.ignore.as_deref().unwrap_or_default(), &located)?;
        apply_layer(
            &mut enabled,
            &mut rule_origins,
            &Origin::File,
            select.as_deref(),
            &ignore,
        );
        let select = overrides
            .select
            .as_deref()
            .map(|list| cli_selectors(list, "--select"))
            .transpose()?;
        let ignore = cli_selectors(&overrides.ignore, "--ignore")?;
        apply_layer(
            &mut enabled,
            &mut rule_origins,
            &Origin::CommandLine,
            select.as_deref(),
            &ignore,
        );

        // Severities: the default, overridden by `[severity]`, least specific key first.
        let mut severities: Vec<Option<Severity>> = REGISTRY
            .iter()
            .zip(&enabled)
            .map(|(r, on)| on.then_some(r.default_severity))
            .collect();
        if let Some(table) = &config.severity {
            let mut overrides = Vec::new();
            for (key, level) in table {
                let selector = Selector::parse(key.get_ref()).ok_or_else(|| {
                    located(
                        key.span(),
                        format!("no rule or rule group `{}`", key.get_ref()),
                        Some(unknown_selector_help(key.get_ref())),
                    )
                })?;
                overrides.push((selector, *level));
            }
            overrides.sort_by_key(|(s, _)| s.specificity());
            for (selector, level) in overrides {
                for (index, rule) in REGISTRY.iter().enumerate() {
                    if enabled[index] && selector.matches(rule) {
                        severities[index] = level.severity();
                        if rule_origins[index] == Origin::Default {
                            rule_origins[index] = Origin::File;
                        }
                    }
                }
            }
        }

        let limits = resolve_limits(config.limits.as_ref(), target.value, &located)?;
        let plan = RulePlan::from_severities(severities);

        Ok(Self {
            file: file.map(|f| f.path.clone()),
            target,
            method: pick(overrides.method, config.method, MethodChoice::Auto),
            plan,
            rule_origins,
            fail_on: pick(overrides.fail_on, config.fail_on, FailOn::Error),
            faces: pick(overrides.faces, config.faces, Faces::Off),
            max_per_rule: pick(
                overrides.max_per_rule.map(Some),
                config.max_per_rule.map(Some),
                None,
            ),
            max_diagnostics: pick(overrides.max_diagnostics, config.max_diagnostics, 0),
            info_per_line: pick(overrides.info_per_line, config.info_per_line, false),
            limits,
        })
    }

    /// The per-rule display cap (`None`: show all) for a format that shows every finding
    /// by default (JSON, SARIF) or not.
    pub fn per_rule_cap(&self, format_is_complete: bool) -> Option<u64> {
        match self.max_per_rule.value {
            Some(cap) => (cap > 0).then_some(cap),
            None => (!format_is_complete).then_some(DEFAULT_MAX_PER_RULE),
        }
    }

    /// The cap on findings shown in all (`None`: show all).
    pub fn total_cap(&self) -> Option<u64> {
        let cap = self.max_diagnostics.value;
        (cap > 0).then_some(cap)
    }

    /// `vft config`: the effective configuration as TOML, each value with its origin.
    pub fn describe(&self) -> String {
        let file_name = self
            .file
            .as_ref()
            .map_or_else(String::new, |p| p.display().to_string());
        let origin = |origin: &Origin| match origin {
            Origin::Default => "default".to_owned(),
            Origin::File => file_name.clone(),
            Origin::CommandLine => "command line".to_owned(),
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# The effective configuration of `vft check`; each value's origin follows `#`."
        );
        let _ = writeln!(
            out,
            "# Configuration file: {}\n",
            if file_name.is_empty() {
                "none"
            } else {
                &file_name
            }
        );
        let line = |out: &mut String, key: &str, value: String, from: String| {
            let _ = writeln!(out, "{:<40} # {from}", format!("{key} = {value}"));
        };
        line(
            &mut out,
            "target",
            format!("\"{}\"", self.target.value.name()),
            origin(&self.target.origin),
        );
        line(
            &mut out,
            "method",
            format!("\"{}\"", self.method.value.name()),
            origin(&self.method.origin),
        );
        line(
            &mut out,
            "fail-on",
            format!("\"{}\"", self.fail_on.value.as_str()),
            origin(&self.fail_on.origin),
        );
        line(
            &mut out,
            "faces",
            format!("\"{}\"", self.faces.value.as_str()),
            origin(&self.faces.origin),
        );
        let per_rule = self
            .max_per_rule
            .value
            .unwrap_or(DEFAULT_MAX_PER_RULE)
            .to_string();
        let per_rule_note = if self.max_per_rule.value.is_none() {
            "default; json and sarif show all".to_owned()
        } else {
            origin(&self.max_per_rule.origin)
        };
        line(&mut out, "max-per-rule", per_rule, per_rule_note);
        line(
            &mut out,
            "max-diagnostics",
            self.max_diagnostics.value.to_string(),
            origin(&self.max_diagnostics.origin),
        );
        line(
            &mut out,
            "info-per-line",
            self.info_per_line.value.to_string(),
            origin(&self.info_per_line.origin),
        );

        let _ = writeln!(out, "\n[limits]");
        let target = self.target.value;
        let platform = Limits::default();
        let limits = &self.limits.value;
        let mut limit = |key: &str, value: u64, configured: bool, platform_value: u64| {
            let from = if configured {
                format!(
                    "{} ({} allows {platform_value})",
                    origin(&self.limits.origin),
                    target.name()
                )
            } else {
                format!("{} limit", target.name())
            };
            line(&mut out, key, value.to_string(), from);
        };
        limit(
            "max-images-per-example",
            limits.max_images_per_example(target) as u64,
            limits.max_images_per_example.is_some(),
            platform.max_images_per_example(target) as u64,
        );
        limit(
            "max-image-bytes",
            limits.max_image_bytes(),
            limits.max_image_bytes.is_some(),
            platform.max_image_bytes(),
        );
        limit(
            "min-examples",
            limits.min_examples(),
            limits.min_examples.is_some(),
            platform.min_examples(),
        );

        let _ = writeln!(out, "\n[severity]");
        for (index, rule) in REGISTRY.iter().enumerate() {
            let level = self.plan.severity(rule.id).map_or("off", Severity::as_str);
            let from = origin(&self.rule_origins[index]);
            line(
                &mut out,
                rule.code,
                format!("\"{level}\""),
                format!("{} ({from})", rule.name),
            );
        }
        out
    }
}

type Locate<'f> = dyn Fn(Range<usize>, String, Option<String>) -> ConfigError + 'f;

fn file_selectors<'a>(
    list: &'a [Spanned<String>],
    located: &Locate<'_>,
) -> Result<Vec<Selector<'a>>, ConfigError> {
    list.iter()
        .map(|s| {
            Selector::parse(s.get_ref()).ok_or_else(|| {
                located(
                    s.span(),
                    format!("no rule or rule group `{}`", s.get_ref()),
                    Some(unknown_selector_help(s.get_ref())),
                )
            })
        })
        .collect()
}

/// Per rule (by [`crate::diagnostic::RuleId`] index), whether `vft fix` may apply its fix:
/// the rules `--fixable` selects (all by default), less those `--unfixable` names.
pub fn fixable_rules(
    fixable: Option<&[String]>,
    unfixable: &[String],
) -> Result<Vec<bool>, ConfigError> {
    let fixable = fixable
        .map(|list| cli_selectors(list, "--fixable"))
        .transpose()?;
    let unfixable = cli_selectors(unfixable, "--unfixable")?;
    Ok(REGISTRY
        .iter()
        .map(|rule| {
            let selected = fixable
                .as_ref()
                .is_none_or(|list| list.iter().any(|s| s.matches(rule)));
            selected && !unfixable.iter().any(|s| s.matches(rule))
        })
        .collect())
}

fn cli_selectors<'a>(list: &'a [String], flag: &str) -> Result<Vec<Selector<'a>>, ConfigError> {
    list.iter()
        .map(|s| {
            Selector::parse(s).ok_or_else(|| {
                ConfigError::cli(
                    format!("no rule or rule group `{s}` (in `{flag}`)"),
                    Some(unknown_selector_help(s)),
                )
            })
        })
        .collect()
}

/// The command line's value, else the file's, else the default, with its origin.
fn pick<T>(cli: Option<T>, file: Option<T>, default: T) -> Setting<T> {
    match (cli, file) {
        (Some(value), _) => Setting::new(value, Origin::CommandLine),
        (None, Some(value)) => Setting::new(value, Origin::File),
        (None, None) => Setting::new(default, Origin::Default),
    }
}

/// Checks the `[limits]` table against the target: a limit may only be tightened.
fn resolve_limits(
    table: Option<&FileLimits>,
    target: Target,
    located: &Locate<'_>,
) -> Result<Setting<Limits>, ConfigError> {
    let Some(table) = table else {
        return Ok(Setting::new(Limits::default(), Origin::Default));
    };
    let platform = Limits::default();
    let looser = |key: &str, value: &Spanned<u64>, limit: u64, kind: &str| {
        located(
            value.span(),
            format!(
                "`{key}` = {} is looser than {}'s limit of {limit}",
                value.get_ref(),
                target.name()
            ),
            Some(format!(
                "limits can only be tightened: use a value {kind} {limit}, or remove the key"
            )),
        )
    };
    let mut limits = Limits::default();
    if let Some(value) = &table.max_images_per_example {
        let limit = platform.max_images_per_example(target) as u64;
        if *value.get_ref() > limit {
            return Err(looser("max-images-per-example", value, limit, "at most"));
        }
        limits.max_images_per_example = usize::try_from(*value.get_ref()).ok();
    }
    if let Some(value) = &table.max_image_bytes {
        let limit = platform.max_image_bytes();
        if *value.get_ref() > limit {
            return Err(looser("max-image-bytes", value, limit, "at most"));
        }
        limits.max_image_bytes = Some(*value.get_ref());
    }
    if let Some(value) = &table.min_examples {
        let limit = platform.min_examples();
        if *value.get_ref() < limit {
            return Err(looser("min-examples", value, limit, "at least"));
        }
        limits.min_examples = Some(*value.get_ref());
    }
    Ok(Setting::new(limits, Origin::File))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enabled(file: &str, overrides: &Overrides) -> Vec<&'static str> {
        let config = ConfigFile {
            path: PathBuf::from("vft.toml"),
            text: file.to_owned(),
            config: toml::from_str(file).unwrap(),
        };
        let settings = Settings::resolve(Some(&config), overrides).unwrap();
        settings.plan.enabled().map(|(rule, _)| rule.code).collect()
    }

    #[test]
    fn selectors_are_codes_prefixes_and_names() {
        assert!(Selector::parse("VFT202").is_some_and(|s| s.exact));
        assert!(Selector::parse("vft202").is_some_and(|s| s.exact));
        assert!(Selector::parse("invalid-image-detail").is_some_and(|s| s.exact));
        assert!(Selector::parse("VFT2").is_some_and(|s| !s.exact));
        assert!(Selector::parse("VFT").is_some_and(|s| !s.exact));
        for bad in [
            "",
            "VF",
            "VFT9",
            "VFT2020",
            "Invalid-Image-Detail",
            "detail",
        ] {
            assert!(Selector::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_more_specific_selector_wins_and_the_command_line_is_a_layer_on_top() {
        let none = Overrides::default();
        assert_eq!(
            enabled("select = [\"VFT20\"]\nignore = [\"VFT2\"]\n", &none),
            [
                "VFT201", "VFT202", "VFT203", "VFT204", "VFT205", "VFT206", "VFT207", "VFT208",
                "VFT209"
            ]
        );
        assert_eq!(
            enabled(
                "select = [\"VFT202\"]\nignore = [\"invalid-image-detail\"]\n",
                &none
            ),
            Vec::<&str>::new()
        );
        let cli = Overrides {
            select: Some(vec!["VFT4".to_owned()]),
            ignore: vec!["VFT401".to_owned()],
            ..Overrides::default()
        };
        let file_rules_but_vft401: Vec<&str> = REGISTRY
            .iter()
            .map(|rule| rule.code)
            .filter(|code| code.starts_with("VFT4") && *code != "VFT401")
            .collect();
        assert!(file_rules_but_vft401.contains(&"VFT402"));
        assert_eq!(
            enabled("select = [\"VFT2\"]\n", &cli),
            file_rules_but_vft401
        );
        // Without --select the command line only removes from the file's set.
        let cli = Overrides {
            ignore: vec!["VFT20".to_owned()],
            ..Overrides::default()
        };
        let media_but_vft20x: Vec<&str> = REGISTRY
            .iter()
            .map(|rule| rule.code)
            .filter(|code| code.starts_with("VFT2") && !code.starts_with("VFT20"))
            .collect();
        assert!(media_but_vft20x.contains(&"VFT210"));
        assert_eq!(enabled("select = [\"VFT2\"]\n", &cli), media_but_vft20x);
    }

    #[test]
    fn severity_keys_apply_least_specific_first() {
        let config = "[severity]\nVFT2 = \"off\"\nVFT202 = \"warning\"\nVFT3 = \"info\"\n";
        let file = ConfigFile {
            path: PathBuf::from("vft.toml"),
            text: config.to_owned(),
            config: toml::from_str(config).unwrap(),
        };
        let settings = Settings::resolve(Some(&file), &Overrides::default()).unwrap();
        let severity = |code| settings.plan.severity(crate::rules::find(code).unwrap().id);
        assert_eq!(severity("VFT201"), None);
        assert_eq!(severity("VFT202"), Some(Severity::Warning));
        assert_eq!(severity("VFT301"), Some(Severity::Info));
        assert_eq!(severity("VFT101"), Some(Severity::Error));
    }

    #[test]
    fn vft_config_output_reads_back_as_the_same_configuration() {
        let config = "target = \"azure\"\nignore = [\"VFT3\"]\nmax-per-rule = 7\ninfo-per-line = true\n\
                      [severity]\nVFT202 = \"warning\"\n[limits]\nmin-examples = 40\n";
        let file = ConfigFile {
            path: PathBuf::from("vft.toml"),
            text: config.to_owned(),
            config: toml::from_str(config).unwrap(),
        };
        let first = Settings::resolve(Some(&file), &Overrides::default()).unwrap();
        let printed = first.describe();
        let again = ConfigFile {
            path: PathBuf::from("vft.toml"),
            config: toml::from_str(&printed).unwrap(),
            text: printed,
        };
        let second = Settings::resolve(Some(&again), &Overrides::default()).unwrap();
        let plan =
            |s: &Settings| -> Vec<_> { s.plan.enabled().map(|(r, sev)| (r.code, sev)).collect() };
        assert_eq!(plan(&first), plan(&second));
        assert_eq!(first.target.value, second.target.value);
        assert_eq!(first.max_per_rule.value, second.max_per_rule.value);
        assert!(second.info_per_line.value);
        assert_eq!(second.info_per_line.origin, Origin::File);
        assert_eq!(
            first.limits.value.min_examples(),
            second.limits.value.min_examples()
        );
    }
}
