//! The `tokscan` binary: parse arguments, run the engine, print, and map the outcome to an
//! exit code (0 clean, 1 findings at or above `--fail-on`, 2 usage, config or I/O error).

mod cli;
mod cmd_reach;

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use tokscan::baseline::Baseline;
use tokscan::config::{self, Config};
use tokscan::git::{Mode, Plan};
use tokscan::reach::ReachOptions;
use tokscan::report::{Format, Report};
use tokscan::rules::RuleSet;
use tokscan::scan::{scan, Progress, ScanOptions};
use tokscan::source::{ChunkPolicy, WalkOptions};

use cli::{Cli, ColorArg, Command, FormatArg, ListFormat, RulesCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stderr_styled = io::stderr().is_terminal() && color_allowed(cli.color);
    miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(stderr_styled)
                .unicode(stderr_styled)
                .build(),
        )
    }))
    .ok();
    let result = match &cli.command {
        Some(cli::Command::Reach(args)) => cmd_reach::run(args),
        Some(cli::Command::Rules { .. }) | None => run(&cli),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> tokscan::Result<ExitCode> {
    if let Some(Command::Rules { action }) = &cli.command {
        return rules_command(action);
    }
    let rules = RuleSet::load_enabled(&cli.rules, &cli.enable_rule)?;
    let mode = if cli.staged {
        Some(Mode::Staged)
    } else if let Some(range) = &cli.diff {
        Some(Mode::diff(range))
    } else if cli.history {
        Some(Mode::History)
    } else {
        None
    };
    let plan = mode.map(|mode| Plan::new(&cli.paths[0], mode)).transpose()?;
    // In --diff mode the config and baseline come from the base commit: the range under
    // review must not be able to silence its own findings.
    let trusted = plan.as_ref().filter(|plan| plan.base.is_some());
    let mut trusted_paths = Vec::new();
    let config = match (&cli.config, cli.no_config, trusted) {
        (_, true, _) => Config::default(),
        (explicit, false, Some(plan)) => trusted_config(plan, explicit.as_deref(), &mut trusted_paths)?,
        (Some(path), false, None) => Config::load(path)?,
        (None, false, None) => Config::discover(&cli.paths[0])?,
    };
    let baseline = match (&cli.baseline, trusted) {
        (Some(path), Some(plan)) => trusted_baseline(plan, path, &mut trusted_paths)?,
        (path, _) => path.as_deref().map(Baseline::load).transpose()?,
    };
    let changed_in_range = match trusted {
        Some(plan) => plan.changed_in_range(&trusted_paths)?,
        None => Vec::new(),
    };
    if cli.verbose > 0 {
        eprintln!(
            "tokscan: {} rules from {} providers; config: {}",
            rules.rules.len(),
            rules.providers.len(),
            config
                .path
                .as_ref()
                .map_or_else(|| "none".to_owned(), |p| p.display().to_string())
        );
    }
    for path in &cli.paths {
        if let Err(err) = std::fs::symlink_metadata(path) {
            return Err(tokscan::Error::io(path, err));
        }
    }

    let options = ScanOptions {
        roots: cli.paths.clone(),
        walk: WalkOptions {
            no_ignore: cli.no_ignore,
            follow_links: cli.follow,
            threads: cli.threads.unwrap_or(0),
            max_file_size: cli.max_file_size,
            chunks: cli
                .chunk_size
                .map_or(ChunkPolicy::DEFAULT, ChunkPolicy::with_size),
            max_archive_depth: cli.max_archive_depth,
        },
        keep_secrets: cli.no_redact,
        include_public: cli.include_public,
        reach: ReachOptions {
            agents: cli.agents.clone(),
            home: None,
        },
        keep_raw_secrets: cli.introspect,
        git: plan,
    };
    // Resolved before the scan, so a bad API URL fails fast.
    let introspect = if cli.introspect {
        Some(tokscan::introspect::Settings::resolve(&config.api_urls)?)
    } else {
        None
    };
    let progress = Progress::default();
    let mut outcome = if cli.quiet {
        scan(&options, &rules, &config, &progress)
    } else {
        with_progress_bar(&progress, || scan(&options, &rules, &config, &progress))
    };
    outcome.stats.changed_in_range = changed_in_range;
    if !cli.quiet {
        for path in &outcome.stats.changed_in_range {
            eprintln!(
                "tokscan: warning: {path} is changed in this range; the base commit's version was used"
            );
        }
    }
    if let Some(path) = &cli.write_baseline {
        Baseline::write(path, &outcome.findings)?;
    }
    if let Some(baseline) = &baseline {
        outcome.apply_baseline(baseline);
    }
    if let Some(settings) = &introspect {
        outcome.introspect(&rules, &config, settings);
    }

    for problem in &outcome.problems {
        if problem.error || !cli.quiet {
            let level = if problem.error { "error" } else { "warning" };
            eprintln!("tokscan: {level}: {}: {}", problem.path, problem.message);
        }
    }

    let format = match cli.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Github => Format::Github,
    };
    let to_terminal = cli.output.is_none() && io::stdout().is_terminal();
    let report = Report {
        rules: &rules,
        outcome: &outcome,
        styled: to_terminal && color_allowed(cli.color) || cli.color == ColorArg::Always,
    };
    let written = match &cli.output {
        Some(path) => File::create(path)
            .and_then(|file| {
                let mut out = BufWriter::new(file);
                report.write(format, &mut out)?;
                out.flush()
            })
            .map_err(|source| tokscan::Error::Write {
                path: path.clone(),
                source,
            }),
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            match report.write(format, &mut out).and_then(|()| out.flush()) {
                // A closed pipe (`tokscan | head`) is not an error worth a message.
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|source| tokscan::Error::Write {
                    path: "<stdout>".into(),
                    source,
                }),
            }
        }
    };
    written?;
    if cli.output.is_some() && format != Format::Human && !cli.quiet {
        eprintln!("{}", tokscan::report::summary_line(&outcome.stats, false));
    }

    let code = if outcome.incomplete() {
        ExitCode::from(2)
    } else if outcome.findings.iter().any(|f| f.severity >= cli.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here. Freeing the rules (a few hundred compiled regexes with their
    // caches) and the findings one allocation at a time takes milliseconds, on one thread,
    // that exiting does at once.
    std::mem::forget(rules);
    std::mem::forget(outcome);
    Ok(code)
}

/// `tokscan rules list|explain`: describe the rules on standard output.
fn rules_command(action: &RulesCommand) -> tokscan::Result<ExitCode> {
    use tokscan::rules::doc;
    let text = match action {
        RulesCommand::List { format, rules } => {
            let rules = RuleSet::load(rules)?;
            match format {
                ListFormat::Table => doc::table(&rules),
                ListFormat::Markdown => doc::markdown(&rules),
                ListFormat::Json => doc::json(&rules),
            }
        }
        RulesCommand::Explain { id, rules } => {
            let rules = RuleSet::load(rules)?;
            let rule = rules.rule(id).ok_or_else(|| {
                let known: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
                tokscan::Error::unknown_rule(id, &known)
            })?;
            doc::explain(&rules, rule)
        }
    };
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(tokscan::Error::Write {
            path: "<stdout>".into(),
            source: err,
        }),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The config as the base commit of a `--diff` has it: `explicit` if it lies in the
/// repository (else read from disk as given), otherwise `tokscan.toml`/`.tokscan.toml` at the
/// repository root. Records the repository paths it depends on in `trusted`.
fn trusted_config(
    plan: &Plan,
    explicit: Option<&Path>,
    trusted: &mut Vec<String>,
) -> tokscan::Result<Config> {
    let candidates = match explicit {
        Some(path) => match plan.repo_relative(path) {
            Some(rel) => vec![rel],
            None => return Config::load(path),
        },
        None => config::FILE_NAMES.iter().map(|n| (*n).to_owned()).collect(),
    };
    trusted.extend(candidates.iter().cloned());
    for rel in &candidates {
        if let Some(bytes) = plan.trusted_file(rel)? {
            let shown = format!("{rel} (as in the base commit)");
            return Config::parse(&String::from_utf8_lossy(&bytes), &shown, plan.workdir.clone());
        }
    }
    if explicit.is_some() {
        eprintln!(
            "tokscan: warning: {} does not exist in the base commit; no config is used",
            candidates[0]
        );
    }
    Ok(Config::default())
}

/// The baseline as the base commit of a `--diff` has it (if it lies in the repository).
fn trusted_baseline(
    plan: &Plan,
    path: &Path,
    trusted: &mut Vec<String>,
) -> tokscan::Result<Option<Baseline>> {
    let Some(rel) = plan.repo_relative(path) else {
        return Baseline::load(path).map(Some);
    };
    trusted.push(rel.clone());
    match plan.trusted_file(&rel)? {
        Some(bytes) => {
            let shown = format!("{rel} (as in the base commit)");
            Baseline::parse(&String::from_utf8_lossy(&bytes), &shown).map(Some)
        }
        None => {
            eprintln!("tokscan: warning: {rel} does not exist in the base commit; no baseline is used");
            Ok(None)
        }
    }
}

/// Runs `work` while a progress line (files, bytes, findings so far) is drawn on stderr.
/// Only a terminal gets one, and only once the scan has run longer than a moment, so quick
/// scans and pipes stay clean; the drawing thread wakes as soon as the work is done.
fn with_progress_bar<T: Send>(progress: &Progress, work: impl FnOnce() -> T + Send) -> T {
    const DELAY: Duration = Duration::from_millis(300);
    const TICK: Duration = Duration::from_millis(100);
    if !io::stderr().is_terminal() {
        return work();
    }
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let started = Instant::now();
            let mut bar: Option<ProgressBar> = None;
            while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(TICK) {
                if bar.is_none() && started.elapsed() >= DELAY {
                    let spinner = ProgressBar::new_spinner();
                    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                        spinner.set_style(style);
                    }
                    bar = Some(spinner);
                }
                if let Some(bar) = &bar {
                    bar.set_message(format!(
                        "{} files, {} MiB, {} findings",
                        progress.files.load(Ordering::Relaxed),
                        progress.bytes.load(Ordering::Relaxed) >> 20,
                        progress.findings.load(Ordering::Relaxed)
                    ));
                    bar.tick();
                }
            }
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
        });
        let result = work();
        drop(done);
        result
    })
}

/// `--color auto` colours only a terminal, and never when `NO_COLOR` is set or `TERM=dumb`.
fn color_allowed(choice: ColorArg) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}
