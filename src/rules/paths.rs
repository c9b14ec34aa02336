//! Globs matched from a path's end first: the rules' `paths`, all in one set matched once per
//! file rather than once per rule, and the names of credential files.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};

/// A rule's `paths` glob. As in `.gitignore` and `[allow] paths`, `*`, `?` and `[…]` stay within
/// one component of the path and `**` spans components: `**/kubeconfig-*` is a file named so,
/// not every file below a directory named so. A `*` that crossed `/` would also make the check
/// of every path read the whole path.
pub fn path_glob(glob: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(glob).literal_separator(true).build()
}

/// A glob set behind a check that turns most paths down from their last few bytes.
#[derive(Debug)]
pub struct Globs {
    set: GlobSet,
    /// Every glob's regex, reversed. Run back from a path's end, it dies within a few bytes
    /// on most paths (`.py` ends no glob), where the set would try each of its strategies
    /// on the whole path. `None` without globs.
    reverse: Option<DFA>,
}

impl Globs {
    pub fn new(globs: impl IntoIterator<Item = Glob>) -> Result<Globs, String> {
        let mut set = GlobSetBuilder::new();
        let mut regexes = Vec::new();
        for glob in globs {
            regexes.push(glob.regex().to_owned());
            set.add(glob);
        }
        let set = set.build().map_err(|e| e.to_string())?;
        let reverse = if regexes.is_empty() {
            None
        } else {
            // As `globset` compiles them: bytes, and `.` matches a newline too.
            let dfa = DFA::builder()
                .syntax(syntax::Config::new().utf8(false).dot_matches_new_line(true))
                .thompson(
                    thompson::Config::new()
                        .reverse(true)
                        .utf8(false)
                        .which_captures(WhichCaptures::None),
                )
                .build_many(&regexes)
                .map_err(|e| e.to_string())?;
            Some(dfa)
        };
        Ok(Globs { set, reverse })
    }

    /// Whether some glob matches `path`. `cache` is the calling thread's, made on first use.
    pub fn is_match(&self, path: &str, cache: &mut Option<Cache>) -> bool {
        self.may_match(path, cache) && self.set.is_match(path)
    }

    /// Fills `globs` with the index of each glob that matches `path`, in the order given.
    pub fn matches_into(&self, path: &str, cache: &mut Option<Cache>, globs: &mut Vec<usize>) {
        globs.clear();
        if self.may_match(path, cache) {
            self.set.matches_into(path, globs);
        }
    }

    /// Whether some glob may match `path`: exactly whether one does, unless the DFA gives up.
    fn may_match(&self, path: &str, cache: &mut Option<Cache>) -> bool {
        let Some(dfa) = &self.reverse else {
            return false;
        };
        let cache = cache.get_or_insert_with(|| dfa.create_cache());
        // Every glob's regex is anchored at both ends: a match back from the end spans the path.
        let input = Input::new(path).anchored(Anchored::Yes).earliest(true);
        !matches!(dfa.try_search_rev(cache, &input), Ok(None))
    }
}

/// Every rule's path globs, each glob with the rule it belongs to.
#[derive(Debug)]
pub struct PathGlobs {
    globs: Globs,
    /// For each glob in `globs`, the rule it belongs to.
    rules: Vec<usize>,
}

impl PathGlobs {
    /// The globs, each with the index of the rule it belongs to.
    pub fn new(globs: impl IntoIterator<Item = (usize, Glob)>) -> Result<PathGlobs, String> {
        let (rules, globs): (Vec<usize>, Vec<Glob>) = globs.into_iter().unzip();
        Ok(PathGlobs {
            globs: Globs::new(globs)?,
            rules,
        })
    }

    /// Fills `rules` with the index of each rule one of whose globs matches `path` (a rule
    /// may appear more than once). `cache` is the calling thread's, made on first use.
    pub fn rules_with_path(&self, path: &str, cache: &mut Option<Cache>, rules: &mut Vec<usize>) {
        self.globs.matches_into(path, cache, rules);
        for glob in rules.iter_mut() {
            *glob = self.rules[*glob];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    fn globs(patterns: &[&str]) -> PathGlobs {
        PathGlobs::new(
            patterns
                .iter()
                .enumerate()
                .map(|(i, p)| (i, path_glob(p).unwrap())),
        )
        .unwrap()
    }

    #[test]
    fn the_reverse_check_agrees_with_the_glob_set_on_every_path() {
        let patterns = [
            "**/.docker/config.json",
            ".npmrc",
            "**/.npmrc",
            "**/*.kubeconfig",
            "**/kubeconfig-*",
            "**/kubeconfig.y*ml",
            "**/.continue/mcpServers/*",
            "**/.railway/config-*.json",
            "**/[ab]?c/{x,y}.toml",
        ];
        let set = globs(&patterns);
        // Pieces that make paths some glob matches, nearly matches, or matches in part.
        let pieces = [
            ".docker",
            "config.json",
            ".npmrc",
            "npmrc",
            "x.kubeconfig",
            "kubeconfig",
            "kubeconfig-prod",
            "kubeconfig.yml",
            "kubeconfig.yaml",
            "kubeconfig.ml",
            ".continue",
            "mcpServers",
            ".railway",
            "config-a.json",
            "config-.json",
            "abc",
            "bxc",
            "x.toml",
            "y.toml",
            "z.toml",
            "src",
            "lib.rs",
            "",
            "a\nb",
            "é",
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut cache = None;
        let mut rules = Vec::new();
        let mut matched = 0;
        for _ in 0..20_000 {
            let depth = 1 + rng.below(4);
            let path: Vec<&str> = (0..depth).map(|_| rng.pick(&pieces)).collect();
            let path = path.join("/");
            set.rules_with_path(&path, &mut cache, &mut rules);
            let mut expected = set.globs.set.matches(&path);
            expected.sort_unstable();
            let mut found = rules.clone();
            found.sort_unstable();
            assert_eq!(found, expected, "{path:?}");
            matched += usize::from(!found.is_empty());
        }
        // Both kinds of path were drawn often.
        assert!((2_000..18_000).contains(&matched), "{matched} of 20000 matched");
    }

    #[test]
    fn a_star_in_a_rule_path_stays_within_one_component() {
        let set = globs(&["**/kubeconfig-*", "**/.continue/mcpServers/*", "**/.acme/**"]);
        let mut cache = None;
        let mut rules = Vec::new();
        let mut matches = |path: &str| {
            set.rules_with_path(path, &mut cache, &mut rules);
            rules.clone()
        };
        assert_eq!(matches("kubeconfig-prod"), [0]);
        assert_eq!(matches("ops/kubeconfig-prod.yaml"), [0]);
        assert_eq!(matches("ops/kubeconfig-prod/notes.md"), [] as [usize; 0]);
        assert_eq!(matches("home/.continue/mcpServers/github.yaml"), [1]);
        assert_eq!(
            matches("home/.continue/mcpServers/old/github.yaml"),
            [] as [usize; 0]
        );
        assert_eq!(matches("a/.acme/b/c/config.json"), [2]);
    }

    #[test]
    fn credential_file_names_are_told_as_the_glob_set_tells_them() {
        let rules = crate::rules::RuleSet::builtin().unwrap();
        let names = &rules.credential_files;
        let pieces = [
            ".env",
            "env",
            ".",
            "local",
            "id_rsa",
            "id_ed25519",
            "pub",
            ".pem",
            "pem",
            "key",
            ".p12",
            "credentials",
            "secrets",
            "json",
            ".npmrc",
            "npmrc",
            ".netrc",
            "terraform",
            ".tfstate",
            "tfvars",
            "main",
            ".py",
            "_",
            "é",
            "\n",
        ];
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut cache = None;
        let mut matched = 0;
        for _ in 0..20_000 {
            let parts = 1 + rng.below(3);
            let name: String = (0..parts).map(|_| rng.pick(&pieces)).collect();
            let expected = names.set.is_match(&name);
            assert_eq!(names.is_match(&name, &mut cache), expected, "{name:?}");
            matched += usize::from(expected);
        }
        assert!((2_000..18_000).contains(&matched), "{matched} of 20000 matched");
    }

    #[test]
    fn without_globs_no_path_is_bound() {
        let set = globs(&[]);
        let mut rules = vec![7];
        set.rules_with_path("any/.npmrc", &mut None, &mut rules);
        assert!(rules.is_empty());
    }
}
