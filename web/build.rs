//! Extracts the bundled scenarios' titles at build time, so the page does not parse 19 TOML
//! files to fill its scenario picker.

use std::fmt::Write as _;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let mut out = String::from(
        "/// (id, English title, Chinese title) of each bundled scenario, read at build time.\npub const TITLES: &[(&str, &str, &str)] = &[\n",
    );
    for path in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
    {
        println!("cargo::rerun-if-changed={}", path.display());
        let id = path.file_stem().unwrap().to_string_lossy();
        let text = std::fs::read_to_string(path).unwrap();
        let doc: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let title = |lang: &str| {
            doc.get("title")
                .and_then(|t| t.get(lang))
                .and_then(|v| v.as_str())
                .unwrap_or(&id)
                .to_string()
        };
        let _ = writeln!(out, "    ({:?}, {:?}, {:?}),", id, title("en"), title("zh"));
    }
    out.push_str("];\n");
    std::fs::write(
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("titles.rs"),
        out,
    )
    .unwrap();
}
