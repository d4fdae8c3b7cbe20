//! SVG charts of scenario runs (`plotters`, SVG backend only): every scenario overlaid in one chart,
//! or one panel per scenario in a 2×2 grid.
use std::path::{Path, PathBuf};

use eyre::{eyre, Result};
use plotters::prelude::*;

use super::{EpochRow, ScenarioRun};

/// One line of a panel.
pub struct Line {
    /// Legend text.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
}

/// One chart panel.
pub struct Panel {
    /// Caption.
    pub title: String,
    /// x-axis description.
    pub x: String,
    /// y-axis description.
    pub y: String,
    /// Lines.
    pub lines: Vec<Line>,
}

/// Colours by position (scenario or sweep value).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn bounds(p: &Panel) -> (f64, f64, f64, f64) {
    let pts = p.lines.iter().flat_map(|l| l.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts.filter(|(x, y)| x.is_finite() && y.is_finite()) {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        return (0.0, 1.0, 0.0, 1.0);
    }
    if x1 - x0 < 1e-9 {
        x1 = x0 + 1.0;
    }
    let pad = ((y1 - y0) * 0.05).max(y1.abs() * 1e-4).max(1e-9);
    (x0, x1, y0 - pad, y1 + pad)
}

/// Draws `panels` (one, or up to four in a 2×2 grid) into `path`.
pub fn draw(path: &Path, title: &str, panels: &[Panel]) -> Result<()> {
    let err = |e: &dyn std::fmt::Debug| eyre!("drawing {}: {e:?}", path.display());
    let size = if panels.len() == 1 {
        (960, 600)
    } else {
        (1400, 1000)
    };
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let root = root
        .titled(title, ("sans-serif", 24))
        .map_err(|e| err(&e))?;
    let areas = if panels.len() == 1 {
        vec![root.clone()]
    } else {
        root.split_evenly((2, 2))
    };
    for (area, p) in areas.iter().zip(panels) {
        let (x0, x1, y0, y1) = bounds(p);
        let mut chart = ChartBuilder::on(area)
            .caption(&p.title, ("sans-serif", 18))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc(p.x.as_str())
            .y_desc(p.y.as_str())
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| err(&e))?;
        for l in &p.lines {
            let color = l.color;
            chart
                .draw_series(LineSeries::new(
                    l.points
                        .iter()
                        .copied()
                        .filter(|(x, y)| x.is_finite() && y.is_finite()),
                    color.stroke_width(2),
                ))
                .map_err(|e| err(&e))?
                .label(l.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

fn overlay(
    runs: &[ScenarioRun],
    title: &str,
    x: &str,
    y: &str,
    f: impl Fn(&EpochRow) -> (f64, f64),
) -> Panel {
    Panel {
        title: title.into(),
        x: x.into(),
        y: y.into(),
        lines: runs
            .iter()
            .enumerate()
            .map(|(i, r)| Line {
                label: r.label.clone(),
                color: PALETTE[i % PALETTE.len()],
                points: r.rows.iter().map(&f).collect(),
            })
            .collect(),
    }
}

fn supply(runs: &[ScenarioRun]) -> Panel {
    overlay(
        runs,
        "CT total supply against cumulative demand",
        "cumulative demand (million USD of GPU-hours)",
        "total supply (million CT)",
        |r| (r.cumulative_demand_usd / 1e6, r.total_supply_ct / 1e6),
    )
}

fn collateral(runs: &[ScenarioRun]) -> Panel {
    overlay(
        runs,
        "Collateral ratio: burn budget × price / outstanding credits",
        "epoch (day)",
        "collateral ratio",
        |r| (r.epoch as f64, r.collateral_ratio),
    )
}

fn income(runs: &[ScenarioRun]) -> Panel {
    overlay(
        runs,
        "Provider income per GPU-hour (settlements + work and stake rewards)",
        "epoch (day)",
        "USD per GPU-hour",
        |r| (r.epoch as f64, r.income_per_gpu_hour_usd),
    )
}

fn owed(runs: &[ScenarioRun]) -> Panel {
    overlay(
        runs,
        "IOUs owed at the end of each epoch",
        "epoch (day)",
        "owed (CT)",
        |r| (r.epoch as f64, r.owed_ct),
    )
}

/// The default charts of a run of scenarios into `dir`; returns the paths.
pub fn scenario_charts(dir: &Path, runs: &[ScenarioRun]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    let n = runs.first().map_or(0, |r| r.rows.len());
    let sub = format!(
        "{} scenarios, {n} daily epochs each, on the dev chain",
        runs.len()
    );
    let one = |name: &str, p: Panel, out: &mut Vec<PathBuf>| -> Result<()> {
        let path = dir.join(name);
        draw(&path, &sub, &[p])?;
        out.push(path);
        Ok(())
    };
    one("supply-vs-demand.svg", supply(runs), &mut out)?;
    // Burn vs remint vs emission: one panel per scenario.
    let panels: Vec<Panel> = runs
        .iter()
        .take(4)
        .map(|r| Panel {
            title: format!("{}: CT per epoch", r.label),
            x: "epoch (day)".into(),
            y: "thousand CT".into(),
            lines: vec![
                Line {
                    label: "burned for credits".into(),
                    color: PALETTE[2],
                    points: r
                        .rows
                        .iter()
                        .map(|x| (x.epoch as f64, x.burned_ct / 1e3))
                        .collect(),
                },
                Line {
                    label: "re-minted + reserve draws".into(),
                    color: PALETTE[0],
                    points: r
                        .rows
                        .iter()
                        .map(|x| (x.epoch as f64, (x.reminted_ct + x.reserve_drawn_ct) / 1e3))
                        .collect(),
                },
                Line {
                    label: "emitted".into(),
                    color: PALETTE[1],
                    points: r
                        .rows
                        .iter()
                        .map(|x| (x.epoch as f64, x.emitted_ct / 1e3))
                        .collect(),
                },
            ],
        })
        .collect();
    let path = dir.join("burn-remint-emission.svg");
    draw(
        &path,
        &format!("Burn vs re-mint vs emission ({sub})"),
        &panels,
    )?;
    out.push(path);
    one("collateral-ratio.svg", collateral(runs), &mut out)?;
    one("income-per-gpu-hour.svg", income(runs), &mut out)?;
    one("ious.svg", owed(runs), &mut out)?;
    Ok(out)
}

/// One 2×2 chart of a parameter sweep (supply, collateral ratio, income per GPU-hour, IOUs), a
/// line per value; returns its path (`dir/sweep-<name>.svg`).
pub fn sweep_chart(dir: &Path, name: &str, runs: &[ScenarioRun]) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("sweep-{name}.svg"));
    let supply_epoch = overlay(runs, "CT total supply", "epoch (day)", "million CT", |r| {
        (r.epoch as f64, r.total_supply_ct / 1e6)
    });
    draw(
        &path,
        &format!(
            "Sweep of {name} ({} epochs each)",
            runs.first().map_or(0, |r| r.rows.len())
        ),
        &[supply_epoch, collateral(runs), income(runs), owed(runs)],
    )?;
    Ok(path)
}
