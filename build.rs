//! Embeds every rule pack under `rules/` into the binary, so a built tokscan needs no data
//! files at run time and a new pack is picked up without touching the code.

use std::{env, fs, path::Path};

fn main() {
    let root = Path::new("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(root, &mut files);
    files.sort();
    let mut out = String::from("&[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file);
        let abs = fs::canonicalize(file).expect("rule file is readable");
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            file.replace('\\', "/"),
            abs.display().to_string()
        ));
    }
    out.push_str("]\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_rules.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

fn collect(dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path.display().to_string());
        }
    }
}
