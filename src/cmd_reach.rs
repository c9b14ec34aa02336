//! `tokscan reach [PATH] [--home DIR]`: the workspace scan plus the home directory's credential
//! files and the environment, each finding with who can reach it and a fix, most severe first.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use tokscan::config::Config;
use tokscan::reach::{self, home, Catalog, ReachOptions, Workspace};
use tokscan::report::reach::{write_human, write_json, ReachContext, ReachItem};
use tokscan::rules::RuleSet;
use tokscan::scan::{scan, Progress, ScanOptions};
use tokscan::scope;
use tokscan::source::{ChunkPolicy, WalkOptions};

use crate::cli::{ReachArgs, ReachFormatArg};

pub fn run(args: &ReachArgs) -> tokscan::Result<ExitCode> {
    let rules = RuleSet::builtin()?;
    let catalog = Catalog::builtin()?;
    if let Err(err) = std::fs::symlink_metadata(&args.path) {
        return Err(tokscan::Error::io(&args.path, err));
    }
    let config = Config::discover(&args.path)?;
    let home_dir: Option<PathBuf> = args
        .home
        .clone()
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from));
    if let Some(home) = &args.home {
        if let Err(err) = std::fs::metadata(home) {
            return Err(tokscan::Error::io(home, err));
        }
    }
    let reach_options = ReachOptions {
        agents: args.agents.clone(),
        home: home_dir.clone(),
    };
    let options = ScanOptions {
        roots: vec![args.path.clone()],
        walk: WalkOptions {
            no_ignore: false,
            follow_links: false,
            threads: 0,
            max_file_size: 25 << 20,
            chunks: ChunkPolicy::DEFAULT,
            max_archive_depth: tokscan::source::archive::DEFAULT_MAX_DEPTH,
        },
        keep_secrets: args.no_redact,
        include_public: false,
        keep_raw_secrets: false,
        git: None,
        reach: reach_options.clone(),
    };
    let outcome = scan(&options, &rules, &config, &Progress::default());
    let mut problems = outcome.problems.clone();
    let mut findings = outcome.findings;

    let workspace_root = if args.path.is_dir() {
        args.path.clone()
    } else {
        args.path
            .parent()
            .map_or_else(|| PathBuf::from("."), PathBuf::from)
    };
    let workspace = Workspace::new(&catalog, &workspace_root, &reach_options);
    let mut extra = Vec::new();
    if let Some(home) = &home_dir {
        let skip = std::fs::canonicalize(&workspace_root).ok();
        let (found, home_problems) =
            home::home_findings(&rules, &catalog, home, skip.as_deref(), args.no_redact);
        extra.extend(found);
        problems.extend(home_problems);
    }
    if !args.no_env {
        extra.extend(home::env_findings(&rules, std::env::vars(), args.no_redact));
    }
    for finding in &mut extra {
        finding.reachable_by = workspace.reach(&finding.path, finding.line);
    }
    // The workspace findings were assessed by the scan; these get the same model.
    scope::assess(&mut extra, &rules, &Config::default());
    findings.extend(extra);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| reach::exposure(&b.reachable_by).cmp(&reach::exposure(&a.reachable_by)))
            .then_with(|| a.location_key().cmp(&b.location_key()))
    });

    let items: Vec<ReachItem> = findings
        .into_iter()
        .map(|finding| {
            let narrow = rules
                .rules
                .iter()
                .find(|r| r.id == finding.rule)
                .map(|r| rules.provider(r).remediation.trim())
                .and_then(|text| text.split(". ").next())
                .map(|s| format!("{}.", s.trim_end_matches('.')));
            let fixes = reach::fixes(&finding, narrow.as_deref());
            ReachItem { finding, fixes }
        })
        .collect();
    let context = ReachContext {
        workspace: args.path.display().to_string(),
        home: home_dir.as_ref().map(|h| h.display().to_string()),
        detected: workspace.detected.clone(),
        agents: workspace.agents().map(str::to_owned).collect(),
    };

    for problem in &problems {
        let level = if problem.error { "error" } else { "warning" };
        eprintln!("tokscan: {level}: {}: {}", problem.path, problem.message);
    }
    let write = |out: &mut dyn Write| match args.format {
        ReachFormatArg::Human => write_human(&context, &items, out),
        ReachFormatArg::Json => write_json(&context, &items, out),
    };
    match &args.output {
        Some(path) => File::create(path)
            .and_then(|file| {
                let mut out = BufWriter::new(file);
                write(&mut out)?;
                out.flush()
            })
            .map_err(|source| tokscan::Error::Write {
                path: path.clone(),
                source,
            })?,
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            match write(&mut out).and_then(|()| out.flush()) {
                // A closed pipe (`tokscan reach | head`) is not an error worth a message.
                Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
                    return Err(tokscan::Error::Write {
                        path: "<stdout>".into(),
                        source: err,
                    })
                }
                _ => {}
            }
        }
    }
    Ok(if problems.iter().any(|p| p.error) {
        ExitCode::from(2)
    } else if items.iter().any(|i| i.finding.severity >= args.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
