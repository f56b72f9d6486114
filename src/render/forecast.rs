//! The training-set forecast in the text formats' summary: a few lines of counts.

use std::io::{self, Write};

use crate::diagnostic::SkipReason;
use crate::forecast::Forecast;
use crate::numbers::{count, dollars_range, thousands, thousands_range};

/// Writes the forecast: one line when every image trains, else what is lost and why, the
/// Azure skip limit, and what trains in tokens and cost.
pub(crate) fn write_forecast(out: &mut dyn Write, f: &Forecast) -> io::Result<()> {
    // A text-only file has nothing to forecast.
    if f.images == 0 {
        return Ok(());
    }
    let unverified = match f.images_unverified {
        0 => String::new(),
        n => format!(
            "; {} not fetched, so not known",
            count(n, "image URL", "image URLs")
        ),
    };
    let screened = if f.faces_screened || f.examples_with_images == 0 {
        ""
    } else {
        // Face skips are the one reason not looked for: say so, and how to.
        "; faces not screened (--faces on screens them)"
    };
    if f.images_skipped == 0 {
        return writeln!(out, "Forecast: every image trains{unverified}{screened}");
    }
    writeln!(
        out,
        "Forecast: of {} with images, {} keep all, {} lose some, {} lose all and train as text only{screened}",
        thousands(f.examples_with_images),
        thousands(f.keep_all_images),
        thousands(f.lose_some_images),
        thousands(f.lose_all_images),
    )?;
    let reasons: Vec<String> = SkipReason::ALL
        .iter()
        .filter_map(|&reason| {
            let n = f.images_skipped_by_reason.get(reason);
            (n > 0).then(|| format!("{} {}", reason_label(reason), thousands(n)))
        })
        .collect();
    writeln!(
        out,
        "  {} of {} skipped: {}{unverified}",
        thousands(f.images_skipped),
        count(f.images, "image", "images"),
        reasons.join(", "),
    )?;
    let t = &f.azure_skip_threshold;
    let verdict = if t.files_over > 0 {
        "over the limit: the file fails"
    } else if t.files_over_if_probable > 0 {
        "over the limit if the probable ones are skipped"
    } else {
        "under the limit"
    };
    writeln!(
        out,
        "  Azure's limit of {} skipped image examples: {} certain + {} probable, {verdict}",
        t.limit,
        thousands(t.certain),
        thousands(t.probable),
    )?;
    if let Some(tokens) = &f.tokens {
        writeln!(
            out,
            "  trains {} of {} tokens, ≈ {} of {}",
            thousands_range(tokens.trained, tokens.trained_high),
            thousands_range(tokens.total, tokens.total_high),
            dollars_range(tokens.cost_trained, tokens.cost_trained_high),
            dollars_range(tokens.cost, tokens.cost_high),
        )?;
    }
    Ok(())
}

fn reason_label(reason: SkipReason) -> &'static str {
    match reason {
        SkipReason::Format => "format",
        SkipReason::Mode => "colour mode",
        SkipReason::Size => "size",
        SkipReason::Url => "URL",
        SkipReason::Face => "face (probable)",
    }
}
