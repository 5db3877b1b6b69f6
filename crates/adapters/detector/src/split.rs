//! The prompt split into the user's own voice and what is quoted, pasted or code: in time
//! linear in its length, whatever delimiters it leaves open. Mirrors `train/features.py`.

/// The prompt with quoted, pasted and code text set apart: only `outside` is the
/// user's own voice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    pub(crate) outside: String,
    pub(crate) inside: String,
    pub(crate) has_code: bool,
    /// Per char of the prompt: inside quotes or code, delimiters included.
    pub(crate) masked: Vec<bool>,
}

fn closer_of(c: char) -> Option<char> {
    match c {
        '"' => Some('"'),
        '\u{201c}' => Some('\u{201d}'),
        '\u{ab}' => Some('\u{bb}'),
        '\'' => Some('\''),
        _ => None,
    }
}

/// Separates text in code (backticks) and quotes from the rest.
pub(crate) fn split_outside(text: &str) -> Split {
    scan(text).0
}

/// [`split_outside`] and the number of steps it took: one per char for each lookahead table
/// and one per char the split moves over, so a prompt of unmatched quotes costs what a prompt
/// of letters does.
fn scan(text: &str) -> (Split, usize) {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let ahead = Lookahead::new(&chars);
    let (mut outside, mut inside, mut has_code) = (String::new(), String::new(), false);
    let mut masked = vec![false; n];
    let mut steps = ahead.steps;
    let mut i = 0;
    while i < n {
        steps += 1;
        if chars[i] == '`' {
            let fence = if chars[i..].starts_with(&['`'; 3]) {
                3
            } else {
                1
            };
            if let Some(end) = ahead.fence(fence, i + fence) {
                has_code = has_code || fence == 3;
                masked[i..end + fence].fill(true);
                inside.extend(&chars[i + fence..end]);
                inside.push(' ');
                outside.push(' ');
                i = end + fence;
                continue;
            }
        }
        if let Some(closer) = closer_of(chars[i]).filter(|_| opens(&chars, i))
            && let Some(end) = ahead.closer(closer, i + 1)
        {
            masked[i..=end].fill(true);
            inside.extend(&chars[i + 1..end]);
            inside.push(' ');
            outside.push(' ');
            i = end + 1;
            continue;
        }
        outside.push(chars[i]);
        i += 1;
    }
    let split = Split {
        outside,
        inside,
        has_code,
        masked,
    };
    (split, steps)
}

// An apostrophe inside a word ("I'm", "don't") is not a quote.
fn opens(chars: &[char], i: usize) -> bool {
    chars[i] != '\'' || i == 0 || !chars[i - 1].is_alphanumeric()
}

/// For every position, where the next closing delimiter of each kind starts: built in one
/// backward pass per kind, so finding a closer never rescans the text.
struct Lookahead {
    /// Next run of one and of three backticks.
    fences: [Vec<Option<usize>>; 2],
    /// Next `"`, `”`, `»` and closing `'` (one not followed by a letter, as in "don't").
    closers: [Vec<Option<usize>>; 4],
    steps: usize,
}

const CLOSERS: [char; 4] = ['"', '\u{201d}', '\u{bb}', '\''];

impl Lookahead {
    fn new(chars: &[char]) -> Self {
        let mut steps = 0;
        let mut table = |at: &dyn Fn(usize) -> bool| {
            let mut next = vec![None; chars.len() + 1];
            for j in (0..chars.len()).rev() {
                steps += 1;
                next[j] = if at(j) { Some(j) } else { next[j + 1] };
            }
            next
        };
        let run = |len: usize| move |j: usize| chars[j..].starts_with(&['`'; 3][..len]);
        let fences = [table(&run(1)), table(&run(3))];
        let closers = CLOSERS.map(|closer| {
            table(&|j: usize| {
                chars[j] == closer
                    && !(closer == '\'' && chars.get(j + 1).is_some_and(|c| c.is_alphanumeric()))
            })
        });
        Self {
            fences,
            closers,
            steps,
        }
    }

    fn fence(&self, len: usize, from: usize) -> Option<usize> {
        let table = &self.fences[usize::from(len == 3)];
        table.get(from).copied().flatten()
    }

    fn closer(&self, closer: char, from: usize) -> Option<usize> {
        let kind = CLOSERS.iter().position(|&c| c == closer)?;
        self.closers[kind].get(from).copied().flatten()
    }
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
