//! `vft fix`: the configuration, where each output goes, then the file through the engine's
//! fixer; the fixed file, the rejects and their reasons appear only once complete.

use std::ffi::OsString;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::cli::FixArgs;
use crate::config::{self, Settings};
use crate::engine::{Engine, FixSinks, Options, Stop};
use crate::exit::ExitStatus;
use crate::fix::output::Staged;
use crate::fix::{FixPolicy, FixTally, ImageSettings, RuleCount};
use crate::media::probe::ProbeDepth;
use crate::numbers::{count, thousands};
use crate::target::limits::MAX_IMAGE_BYTES_DECIMAL;

use super::{config_error, discovery_start, tool_error};

pub fn run(args: &FixArgs) -> io::Result<ExitStatus> {
    let settings =
        match Settings::load(&discovery_start(Some(&args.file)), &args.config.overrides()) {
            Ok(settings) => settings,
            Err(error) => {
                config_error(&error, args.color);
                return Ok(ExitStatus::Error);
            }
        };
    let fixable = match config::fixable_rules(args.fixable.as_deref(), &args.unfixable) {
        Ok(fixable) => fixable,
        Err(error) => {
            config_error(&error, args.color);
            return Ok(ExitStatus::Error);
        }
    };
    if args.inline_urls && args.fetch.offline {
        tool_error(
            "`--inline-urls` fetches image URLs and `--offline` forbids fetching: drop one of them",
        );
        return Ok(ExitStatus::Error);
    }
    let paths = match Destinations::of(args) {
        Ok(paths) => paths,
        Err(why) => {
            tool_error(&why);
            return Ok(ExitStatus::Error);
        }
    };
    let limits = settings.limits.value;
    let options = Options {
        plan: settings.plan.clone(),
        limits,
        method: settings.method.value,
        // Fixing fetches only to inline image URLs; otherwise they are left as they are.
        fetch: args.fetch.config(ProbeDepth::Headers),
        online: args.inline_urls,
        ..Options::new(settings.target.value)
    };
    let engine = match Engine::new(options, args.jobs.unwrap_or(0)) {
        Ok(engine) => engine,
        Err(error) => {
            tool_error(&error);
            return Ok(ExitStatus::Error);
        }
    };
    let policy = FixPolicy {
        unsafe_fixes: args.unsafe_fixes,
        fixable,
        keep_invalid: args.keep_invalid,
        inline_urls: args.inline_urls,
        image: ImageSettings {
            // The decimal reading of "10 MB", so the result passes `image-size-ambiguous` too.
            max_bytes: limits.max_image_bytes().min(MAX_IMAGE_BYTES_DECIMAL),
            keep_icc: args.keep_icc,
            fit_detail: args.fit_detail.then_some(engine.options().model),
        },
    };

    let mut tally = FixTally::default();
    let result = fix_into(&engine, args, &paths, &policy, &mut tally);
    match result {
        Ok(Written::All) => {}
        Ok(Written::NothingWithoutNetwork(evidence)) => {
            tool_error(&format!(
                "cannot reach the network ({evidence}): no image URL could be inlined, so the fixed file was not written (drop `--inline-urls` to fix the rest)"
            ));
            return Ok(ExitStatus::Error);
        }
        Err(Stop::Input(error)) => {
            tool_error(&format!("cannot read `{}`: {error}", args.file.display()));
            return Ok(ExitStatus::Error);
        }
        Err(Stop::Output(error)) if error.kind() == io::ErrorKind::BrokenPipe => {
            return Ok(ExitStatus::Success);
        }
        Err(Stop::Output(error)) => {
            tool_error(&format!(
                "cannot write the fixed file: {error}; nothing was replaced"
            ));
            return Ok(ExitStatus::Error);
        }
    }
    if !args.quiet {
        let mut stderr = io::stderr().lock();
        report(&mut stderr, args, &paths, &tally)?;
    }
    let failing = if args.diff {
        tally.changed()
    } else {
        tally.rejected > 0 || tally.kept_invalid > 0
    };
    Ok(if failing {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Where the outputs go.
struct Destinations {
    /// The fixed file; `None` for standard output (`-o -`) or `--diff`.
    output: Option<PathBuf>,
    to_stdout: bool,
    /// The rejects file and its reasons; `None` with `--keep-invalid` or `--diff`.
    rejects: Option<(PathBuf, PathBuf)>,
}

impl Destinations {
    fn of(args: &FixArgs) -> Result<Self, String> {
        let stdin = args.file == Path::new("-");
        if stdin && args.in_place {
            return Err("`--in-place` needs a file, not standard input".to_owned());
        }
        if args.diff {
            return Ok(Self {
                output: None,
                to_stdout: false,
                rejects: None,
            });
        }
        let (output, to_stdout) = match (&args.output, args.in_place) {
            (_, true) => (Some(args.file.clone()), false),
            (Some(out), false) if out == Path::new("-") => (None, true),
            (Some(out), false) => (Some(out.clone()), false),
            (None, false) => {
                return Err(
                    "say where the fixed file goes: `-o OUT`, `-o -` or `--in-place`".to_owned(),
                );
            }
        };
        if let Some(out) = &output
            && !args.in_place
            && !stdin
            && same_file(out, &args.file)
        {
            return Err(format!(
                "`-o {}` is the input file; use `--in-place` to replace it safely",
                out.display()
            ));
        }
        let rejects = if args.keep_invalid {
            None
        } else {
            let rejects = match (&args.rejects, &output) {
                (Some(path), _) => path.clone(),
                (None, Some(out)) => with_suffix(out, ".rejects.jsonl"),
                (None, None) if !stdin => with_suffix(&args.file, ".rejects.jsonl"),
                (None, None) => {
                    return Err(
                        "from standard input to standard output, say where invalid lines go: `--rejects PATH` or `--keep-invalid`".to_owned(),
                    );
                }
            };
            if (!stdin && same_file(&rejects, &args.file))
                || output.as_ref().is_some_and(|out| same_file(&rejects, out))
            {
                return Err(format!(
                    "`--rejects {}` would overwrite the input or the output",
                    rejects.display()
                ));
            }
            let reasons = with_suffix(&rejects, ".reasons.jsonl");
            Some((rejects, reasons))
        };
        Ok(Self {
            output,
            to_stdout,
            rejects,
        })
    }
}

/// Whether two paths name one file (the second may not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `train.jsonl` with `.rejects.jsonl` → `train.rejects.jsonl`; other names get the suffix
/// appended.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().map(OsString::from).unwrap_or_default();
    let name = name.to_string_lossy();
    let stem = name.strip_suffix(".jsonl").unwrap_or(&name);
    path.with_file_name(format!("{stem}{suffix}"))
}

/// What [`fix_into`] left under the final names.
enum Written {
    All,
    /// `--inline-urls` on a machine without network: every URL line would have been set
    /// aside as broken, so nothing is committed (as `vft check` exits 2 there).
    NothingWithoutNetwork(String),
}

fn fix_into(
    engine: &Engine,
    args: &FixArgs,
    paths: &Destinations,
    policy: &FixPolicy,
    tally: &mut FixTally,
) -> Result<Written, Stop> {
    let mut output = paths
        .output
        .as_deref()
        .map(Staged::create)
        .transpose()
        .map_err(Stop::Output)?;
    let mut rejects = paths
        .rejects
        .as_ref()
        .map(|(rejects, reasons)| {
            Ok::<_, io::Error>((Staged::create(rejects)?, Staged::create(reasons)?))
        })
        .transpose()
        .map_err(Stop::Output)?;
    let mut stdout = (paths.to_stdout || args.diff).then(|| BufWriter::new(io::stdout().lock()));
    {
        let (out, diff): (Option<&mut dyn Write>, Option<&mut dyn Write>) =
            match (&mut output, &mut stdout) {
                (Some(file), _) => (Some(file), None),
                (None, Some(stdout)) if args.diff => (None, Some(stdout)),
                (None, Some(stdout)) => (Some(stdout), None),
                (None, None) => (None, None),
            };
        let (rejects_out, reasons_out): (Option<&mut dyn Write>, Option<&mut dyn Write>) =
            match &mut rejects {
                Some((rejects, reasons)) => (Some(rejects), Some(reasons)),
                None => (None, None),
            };
        let mut sinks = FixSinks {
            output: out,
            rejects: rejects_out,
            reasons: reasons_out,
            diff,
        };
        engine.fix_path(&args.file, policy, &mut sinks, tally)?;
    }
    if policy.inline_urls
        && tally.inlined == 0
        && let Some(evidence) = engine.unreachable_network()
    {
        // The staged files are removed when dropped.
        return Ok(Written::NothingWithoutNetwork(evidence));
    }
    if let Some(stdout) = &mut stdout {
        stdout.flush().map_err(Stop::Output)?;
    }
    // The rejects first: the fixed file replaces the input (`--in-place`) only once the
    // lines it leaves out are safe elsewhere.
    if let Some((rejects, reasons)) = rejects
        && tally.rejected > 0
    {
        rejects.commit().map_err(Stop::Output)?;
        reasons.commit().map_err(Stop::Output)?;
    }
    if let Some(output) = output {
        output.commit().map_err(Stop::Output)?;
    }
    Ok(Written::All)
}

/// The summary, on stderr: what was fixed, by rule; what was set aside, and why; what
/// `--unsafe-fixes` would add; what each image repair did.
fn report(
    out: &mut dyn Write,
    args: &FixArgs,
    paths: &Destinations,
    tally: &FixTally,
) -> io::Result<()> {
    let input = args.file.display();
    let verb = if args.diff { "Would fix" } else { "Fixed" };
    let destination = match (&paths.output, paths.to_stdout, args.diff) {
        (Some(_), _, false) if args.in_place => " (in place)".to_owned(),
        (Some(out), _, false) => format!(" → `{}`", out.display()),
        (None, true, false) => " → standard output".to_owned(),
        _ => String::new(),
    };
    writeln!(
        out,
        "{verb} {} of `{input}`{destination}",
        count(tally.fixed, "line", "lines"),
    )?;
    let mut rules: Vec<&RuleCount> = tally.by_rule.values().collect();
    rules.sort_by_key(|c| std::cmp::Reverse(c.count));
    for rule in rules {
        writeln!(
            out,
            "  {:>7}  {} {}",
            thousands(rule.count),
            rule.rule.code,
            rule.rule.name
        )?;
    }
    let image_rows = [
        (
            tally.inlined,
            "image URL inlined",
            "image URLs inlined",
            "as data URIs (--inline-urls)",
        ),
        (
            tally.fitted,
            "image downscaled",
            "images downscaled",
            "to fit their `detail` (--fit-detail)",
        ),
    ];
    for (n, one, many, why) in image_rows.into_iter().filter(|row| row.0 > 0) {
        let what = if n == 1 { one } else { many };
        writeln!(out, "  {:>7}  {what} {why}", thousands(n))?;
    }
    if let Some(rule) = tally.bom {
        writeln!(
            out,
            "  {:>7}  {} {} (the byte-order mark)",
            1, rule.code, rule.name
        )?;
    }
    let mut rest = vec![format!(
        "{} unchanged",
        count(tally.unchanged, "line", "lines")
    )];
    if tally.dropped > 0 {
        rest.push(format!(
            "{} left out",
            count(tally.dropped, "blank line", "blank lines")
        ));
    }
    writeln!(out, "{}", rest.join("; "))?;
    if tally.rejected > 0 || tally.kept_invalid > 0 {
        let n = tally.rejected + tally.kept_invalid;
        let whereto = match &paths.rejects {
            _ if tally.kept_invalid > 0 => {
                " kept unchanged in the output (--keep-invalid)".to_owned()
            }
            Some((rejects, reasons)) if !args.diff => format!(
                " set aside unchanged in `{}` (reasons in `{}`)",
                rejects.display(),
                reasons.display()
            ),
            _ => " would be set aside".to_owned(),
        };
        let verb = if n == 1 { "stays" } else { "stay" };
        writeln!(
            out,
            "{} {verb} invalid,{whereto}",
            count(n, "line", "lines")
        )?;
        for reason in tally.reject_reasons.values() {
            writeln!(
                out,
                "  {:>7}  {} {}",
                thousands(reason.count),
                reason.rule.code,
                reason.rule.name
            )?;
        }
    }
    if !tally.withheld.is_empty() {
        let n: u64 = tally.withheld.values().map(|c| c.count).sum();
        let rules: Vec<String> = tally
            .withheld
            .values()
            .map(|c| format!("{} {} ({})", c.rule.code, c.rule.name, thousands(c.count)))
            .collect();
        writeln!(
            out,
            "{} with --unsafe-fixes: {}",
            count(n, "more fix", "more fixes"),
            rules.join(", ")
        )?;
    }
    if !tally.notes.is_empty() {
        writeln!(out, "Images:")?;
        for note in &tally.notes {
            writeln!(out, "  {note}")?;
        }
        if tally.more_notes > 0 {
            writeln!(out, "  … and {} more", thousands(tally.more_notes))?;
        }
    }
    Ok(())
}
