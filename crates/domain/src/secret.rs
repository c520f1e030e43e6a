//! Whether free text discloses a secret: a passphrase, PIN or password, named and given.
//!
//! The certificate's passphrase is set by its owner alone and handed to no one, not even
//! the service desk; a ticket that carries one puts it in front of every agent and into
//! every backup. The detector reads text as a person reads it:
//! - normalised first: Unicode NFKC (fullwidth `：` is `:`), invisible characters removed
//!   (zero-width spaces, joiners, soft hyphens, bidi controls), look-alike letters folded
//!   to Latin (Cyrillic `р` is `p`), case ignored;
//! - then it looks for a secret's name (`passphrase`, `password`, `PIN`, `kata sandi`,
//!   `sandi`, with `-nya`, `-ku`, `-mu`) followed, past at most a few small words (`saya`,
//!   `DS`, `baru`, `adalah`, `:`), by a value shaped like a secret: 4 to 8 digits (a PIN),
//!   or 8 or more characters mixing three of upper case, lower case, digits and symbols
//!   (a passphrase under the authority's rules). After an explicit `:`, `=`, `adalah` or
//!   `is`, any word that is not an ordinary word about the secret counts.
//!
//! Talking about a secret ("saya lupa PIN", "link set passphrase kedaluwarsa") passes.
//! The corpus in `tests/secret_corpus.tsv` holds both kinds; its test reports precision
//! and recall.

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// Names of a secret, as one word (with an Indonesian possessive suffix allowed).
const NAMES: &[&str] = &[
    "passphrase",
    "password",
    "passwd",
    "pwd",
    "pin",
    "sandi",
    "katasandi",
];
/// Names of a secret in two words.
const TWO_WORD_NAMES: &[(&str, &str)] = &[("kata", "sandi"), ("pass", "phrase")];
/// Possessive and other suffixes that join a name: passphrasenya, PIN-ku.
const SUFFIXES: &[&str] = &["nya", "ku", "mu"];
/// Small words that may stand between a name and its value.
const FILLERS: &[&str] = &[
    "saya",
    "aku",
    "ku",
    "nya",
    "mu",
    "anda",
    "kamu",
    "my",
    "your",
    "the",
    "new",
    "old",
    "baru",
    "lama",
    "ds",
    "sertifikat",
    "certificate",
    "akun",
    "account",
    "bsre",
    "tte",
    "untuk",
    "for",
];
/// Words that say "here is the value".
const MARKS: &[&str] = &[
    ":", "=", "adalah", "ialah", "yaitu", "yakni", "is", "was", "->",
];
/// Words that follow a secret's name in ordinary talk about it; never a disclosure.
const ORDINARY: &[&str] = &[
    "lupa",
    "hilang",
    "salah",
    "terkunci",
    "diblokir",
    "blokir",
    "kedaluwarsa",
    "expired",
    "reset",
    "ganti",
    "diganti",
    "ubah",
    "diubah",
    "belum",
    "sudah",
    "tidak",
    "tak",
    "bisa",
    "dapat",
    "gagal",
    "error",
    "link",
    "tautan",
    "baru",
    "lama",
    "kosong",
    "none",
    "tidak ada",
    "forgot",
    "forgotten",
    "lost",
    "locked",
    "blocked",
    "wrong",
    "invalid",
    "changed",
    "reset",
    "not",
    "cannot",
    "can't",
    "failed",
    "set",
    "setel",
    "atur",
    "masuk",
    "login",
    "melalui",
    "via",
    "di",
    "ke",
    "dari",
    "dan",
    "atau",
    "yang",
    "ini",
    "itu",
    "hris",
    "ams",
    "portal",
    "email",
    "tersebut",
    "berhasil",
    "sudah",
    "mohon",
    "please",
    "harap",
    "request",
    "permintaan",
    "n/a",
    "nil",
    "null",
    "tidak ada",
    "unknown",
    "???",
];

/// Whether `text` names a secret and gives its value.
pub fn discloses_secret(text: &str) -> bool {
    let tokens = tokens(text);
    (0..tokens.len()).any(|i| disclosure_at(&tokens, i))
}

/// A word as written (after NFKC, invisibles removed) and as matched (lower case,
/// look-alikes folded to Latin).
#[derive(Debug)]
struct Token {
    shown: String,
    key: String,
}

fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}')
}

/// Lower case, with every non-ASCII letter that looks like Latin letters replaced by them.
fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let mut buffer = [0u8; 4];
        let looks_like: String = skeleton(c.encode_utf8(&mut buffer)).collect();
        if !looks_like.is_empty() && looks_like.chars().all(|l| l.is_ascii_alphabetic()) {
            out.extend(looks_like.chars().flat_map(char::to_lowercase));
        } else {
            out.push(c);
        }
    }
    out
}

fn tokens(text: &str) -> Vec<Token> {
    let normal: String = text.nfkc().filter(|c| !is_invisible(*c)).collect();
    let mut out = Vec::new();
    let mut push = |piece: &str| {
        // A sentence's closing punctuation is not part of a word; a symbol ending a value
        // with digits in it (`Merdeka45!`) may be part of a passphrase.
        let piece = piece.trim_end_matches(['.', ',']);
        let piece = if piece.chars().any(|c| c.is_ascii_digit()) {
            piece
        } else {
            piece.trim_end_matches(['!', '?'])
        };
        if !piece.is_empty() {
            out.push(Token {
                key: fold(piece),
                shown: piece.to_owned(),
            });
        }
    };
    let separators = |c: char| c.is_whitespace() || matches!(c, ';' | '(' | ')' | '"' | '\'');
    for word in normal.split(separators) {
        // `PIN:123456`, `pin=1234`: the mark is a token of its own.
        let mut rest = word;
        while let Some(at) = rest.find([':', '=']) {
            push(&rest[..at]);
            push(&rest[at..=at]);
            rest = &rest[at + 1..];
        }
        push(rest);
    }
    out
}

/// How many tokens a secret's name takes at `i`, if one starts there; a name with a value
/// glued to it (`pin123456`) is a disclosure by itself.
fn name_at(tokens: &[Token], i: usize) -> Option<usize> {
    let key = tokens[i].key.trim_start_matches('-');
    let stem = SUFFIXES
        .iter()
        .find_map(|s| key.strip_suffix(s).map(|stem| stem.trim_end_matches('-')))
        .filter(|stem| NAMES.contains(stem))
        .unwrap_or(key);
    if NAMES.contains(&stem) {
        return Some(1);
    }
    let next = tokens.get(i + 1).map(|t| t.key.as_str());
    TWO_WORD_NAMES
        .iter()
        .any(|(first, second)| {
            key == *first
                && next.is_some_and(|n| {
                    n == *second
                        || SUFFIXES.iter().any(|s| {
                            n.strip_suffix(s)
                                .is_some_and(|stem| stem.trim_end_matches('-') == *second)
                        })
                })
        })
        .then_some(2)
}

fn glued_value(key: &str) -> bool {
    NAMES
        .iter()
        .any(|name| key.strip_prefix(name).is_some_and(pin_shaped))
}

fn disclosure_at(tokens: &[Token], i: usize) -> bool {
    if glued_value(&tokens[i].key) {
        return true;
    }
    let Some(width) = name_at(tokens, i) else {
        return false;
    };
    let mut j = i + width;
    let mut marked = false;
    // Past at most three small words or marks to the value.
    for _ in 0..4 {
        let Some(token) = tokens.get(j) else {
            return false;
        };
        let key = token.key.as_str();
        if MARKS.contains(&key) {
            marked = true;
        } else if !FILLERS.contains(&key) {
            break;
        }
        j += 1;
    }
    let Some(value) = tokens.get(j) else {
        return false;
    };
    let shown = value.shown.as_str();
    if pin_shaped(shown) || passphrase_shaped(shown) {
        return true;
    }
    marked && plausible_value(value)
}

/// 4 to 8 digits: a PIN.
fn pin_shaped(value: &str) -> bool {
    (4..=8).contains(&value.len()) && value.chars().all(|c| c.is_ascii_digit())
}

/// 8 or more characters mixing three kinds of upper case, lower case, digits and
/// symbols, one of them a digit or symbol: shaped like a passphrase the authority accepts.
fn passphrase_shaped(value: &str) -> bool {
    let has = |test: fn(&char) -> bool| value.chars().any(|c| test(&c));
    let upper = has(char::is_ascii_uppercase);
    let lower = has(char::is_ascii_lowercase);
    let digit = has(char::is_ascii_digit);
    let symbol = has(|c| !c.is_alphanumeric() && !c.is_whitespace());
    value.chars().count() >= 8
        && [upper, lower, digit, symbol].iter().filter(|k| **k).count() >= 3
        && (digit || symbol)
}

/// After an explicit mark, a value: anything of three or more characters that is not an
/// ordinary word about secrets.
fn plausible_value(value: &Token) -> bool {
    value.shown.chars().count() >= 3 && !ORDINARY.contains(&value.key.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The corpus: one sentence a line, `secret` or `ok`, a tab, the sentence. Escapes
    /// `\u{…}` stand for invisible or look-alike characters.
    const CORPUS: &str = include_str!("../tests/secret_corpus.tsv");

    fn unescape(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("\\u{") {
            out.push_str(&rest[..at]);
            let end = rest[at..].find('}').map_or(rest.len(), |e| at + e);
            let code = u32::from_str_radix(&rest[at + 3..end], 16).unwrap();
            out.push(char::from_u32(code).unwrap());
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn corpus() -> Vec<(bool, String)> {
        CORPUS
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|line| {
                let (label, sentence) = line.split_once('\t').expect("label<TAB>sentence");
                let secret = match label {
                    "secret" => true,
                    "ok" => false,
                    other => panic!("unknown label {other:?}"),
                };
                (secret, unescape(sentence))
            })
            .collect()
    }

    /// Precision and recall on the corpus, printed for the README:
    /// `cargo test -p certdesk-domain secret_corpus -- --nocapture`.
    #[test]
    fn secret_corpus_precision_and_recall() {
        let corpus = corpus();
        assert!(corpus.len() >= 150, "{} sentences", corpus.len());
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        let mut misses = Vec::new();
        for (secret, sentence) in &corpus {
            match (discloses_secret(sentence), secret) {
                (true, true) => tp += 1,
                (true, false) => {
                    fp += 1;
                    misses.push(format!("flagged but innocent: {sentence:?}"));
                }
                (false, true) => {
                    fn_ += 1;
                    misses.push(format!("missed: {sentence:?}"));
                }
                (false, false) => {}
            }
        }
        let precision = f64::from(tp) / f64::from(tp + fp);
        let recall = f64::from(tp) / f64::from(tp + fn_);
        let secrets = corpus.iter().filter(|(s, _)| *s).count();
        println!(
            "secret corpus: {} sentences ({secrets} disclosures, {} innocent): precision {precision:.3}, recall {recall:.3}",
            corpus.len(),
            corpus.len() - secrets
        );
        for miss in &misses {
            println!("  {miss}");
        }
        assert!(misses.is_empty(), "{misses:#?}");
    }

    #[test]
    fn look_alikes_and_invisibles_do_not_hide_a_name() {
        for text in [
            "pass\u{200B}phrase: Merdeka45!",
            "р\u{0430}ssphrase: Merdeka45!",
            "PIN\u{FF1A}123456",
            "ＰＩＮ １２３４５６",
            "pin\u{00AD}nya 778899",
        ] {
            assert!(discloses_secret(text), "{text:?}");
        }
    }
}
