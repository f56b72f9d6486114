//! `vft stats`'s table and histogram (its JSON Lines are written by the command).

use std::io::{self, Write};

use crate::numbers::{count, dollars_range, thousands, thousands_range as range};
use crate::tokens::TokenSummary;

/// Bins of the length histogram.
const HISTOGRAM_BINS: u32 = 10;
/// Characters of the longest histogram bar.
const HISTOGRAM_WIDTH: u64 = 40;

/// The headline table: files, examples, token figures and the cost estimate, or
/// `cost_note` in its place when no token price applies.
pub fn write_table(
    out: &mut impl Write,
    files: u64,
    uncounted: u64,
    s: &TokenSummary,
    cost_note: Option<&str>,
) -> io::Result<()> {
    let g = thousands;
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            many.to_owned()
        }
    };
    // An RFT file trains a reasoning model, not the priced one: only the tokenizer is
    // shared (every model vft knows, gpt-4o, gpt-4.1 and o4-mini alike, uses o200k_base).
    let counted = match cost_note {
        Some(_) => "with o200k_base".to_owned(),
        None => format!("for {}", s.model.name()),
    };
    writeln!(
        out,
        "{} {}, {} {} counted {counted}",
        files,
        plural(files, "file", "files"),
        g(s.examples),
        plural(s.examples, "example", "examples"),
    )?;
    if uncounted > 0 {
        // Invalid JSON, a value that is no object, or a line in no training format.
        writeln!(
            out,
            "{} {} could not be counted (not a training example); `vft check` says why",
            g(uncounted),
            plural(uncounted, "line", "lines")
        )?;
    }
    writeln!(out)?;
    if s.examples == 0 {
        // No example, no figures: epochs and a price for nothing would only mislead.
        return writeln!(out, "  nothing to count");
    }
    let rows: [(&str, String); 9] = [
        (
            "tokens per example",
            format!(
                "min {}  median {}  p90 {}  max {}",
                g(s.min.into()),
                g(s.median.into()),
                g(s.p90.into()),
                range(s.max.into(), s.max_high.into())
            ),
        ),
        (
            "total tokens",
            format!(
                "{}  (text {}, images {})",
                range(s.total, s.total_high),
                g(s.text),
                range(s.image, s.image_high)
            ),
        ),
        ("assistant tokens", g(s.assistant)),
        ("images of unknown size", unknown_images(s)),
        (
            "over the limit",
            format!(
                "{} {} over {} tokens (truncated; billed up to the limit)",
                range(s.examples_over_limit, s.examples_over_limit_high),
                plural(s.examples_over_limit_high, "example", "examples"),
                g(s.example_token_limit.into())
            ),
        ),
        (
            "epochs",
            if s.default_epochs {
                format!(
                    "{} (the cookbook's default for {})",
                    s.epochs,
                    count(s.examples, "example", "examples")
                )
            } else {
                format!("{} (--epochs)", s.epochs)
            },
        ),
        (
            "billed per epoch",
            range(s.billed_per_epoch, s.billed_per_epoch_high),
        ),
        (
            "billed tokens",
            format!(
                "{} × {} = {}",
                range(s.billed_per_epoch, s.billed_per_epoch_high),
                s.epochs,
                range(s.billed, s.billed_high)
            ),
        ),
        (
            "estimated cost",
            format!(
                "{} at ${:.2} per 1M tokens ({})",
                dollars_range(s.cost, s.cost_high),
                s.price_per_million,
                s.price_source
            ),
        ),
    ];
    // The first five rows count tokens, the last four bill them. With a cost note (RFT:
    // billed by time), no epoch or token price applies: the note replaces the four, and
    // the priced model's per-example limit is no RFT model's, so its row goes too.
    let (counts, billing) = rows.split_at(5);
    for (label, value) in counts {
        if cost_note.is_some() && *label == "over the limit" {
            continue;
        }
        writeln!(out, "  {label:<24}{value}")?;
    }
    match cost_note {
        Some(note) => writeln!(out, "  {:<24}{note}", "cost")?,
        None => {
            for (label, value) in billing {
                writeln!(out, "  {label:<24}{value}")?;
            }
        }
    }
    Ok(())
}

/// The "images of unknown size" row: the unfetched image URLs (a range of tokens each),
/// and the images whose bytes are no image (at their least).
fn unknown_images(s: &TokenSummary) -> String {
    if s.images_unknown == 0 {
        return "none".to_owned();
    }
    let mut parts = Vec::new();
    if s.images_unfetched > 0 {
        parts.push(format!(
            "{}, each counted from the smallest to the largest image",
            count(
                s.images_unfetched,
                "unfetched image URL",
                "unfetched image URLs"
            )
        ));
    }
    let no_image = s.images_unknown.saturating_sub(s.images_unfetched);
    if no_image > 0 {
        parts.push(format!(
            "{} with bytes that are no image, counted at the minimum",
            count(no_image, "image", "images")
        ));
    }
    parts.join("; ")
}

/// Equal-width bins from 0 to the longest example, bars scaled to the fullest bin.
pub fn write_histogram(out: &mut impl Write, sorted: &[u32], limit: u32) -> io::Result<()> {
    let Some(&max) = sorted.last() else {
        return Ok(());
    };
    let width = (max / HISTOGRAM_BINS).saturating_add(1);
    let mut counts = [0_u64; HISTOGRAM_BINS as usize];
    for &total in sorted {
        counts[(total / width).min(HISTOGRAM_BINS - 1) as usize] += 1;
    }
    let fullest = counts.iter().copied().max().unwrap_or(1).max(1);
    let label_width = thousands(u64::from(width) * u64::from(HISTOGRAM_BINS)).len();
    writeln!(out, "\n  example length (tokens)")?;
    for (bin, &count) in (0_u32..).zip(&counts) {
        let low = u64::from(bin) * u64::from(width);
        let high = low + u64::from(width) - 1;
        let bar = (count * HISTOGRAM_WIDTH).div_ceil(fullest);
        let limit = u64::from(limit);
        let mark = if low > limit {
            "  over the limit"
        } else if high > limit {
            "  partly over the limit"
        } else {
            ""
        };
        writeln!(
            out,
            "  {:>label_width$} – {:>label_width$}  {:<bar_width$}  {}{mark}",
            thousands(low),
            thousands(high),
            "█".repeat(usize::try_from(bar).unwrap_or(0)),
            thousands(count),
            bar_width = usize::try_from(HISTOGRAM_WIDTH).unwrap_or(40),
        )?;
    }
    Ok(())
}
