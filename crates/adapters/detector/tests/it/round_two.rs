//! Second round of #14: one prompt per error class in each language, written for these
//! tests (not taken from any data file), through the real embeddings. For the prompts
//! to remember, the saved main statement must be the user's own fact: it holds a
//! given word and not the sentence about someone else or the request.

use polychat_detector::Detector;
use polychat_domain::ports::PreferenceDetector;

use crate::embeddings::query_embeddings;

/// (class/lang, prompt, expected: `None` = nothing to remember, `Some((word, absent))` =
/// the main saved statement contains `word` and not `absent` (case-insensitive; an empty
/// `absent` checks nothing)).
type Case = (
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

/// Nothing to remember.
const NEGATIVES: &[Case] = &[
    (
        "other/pt",
        "Meu genro é confeiteiro e quer abrir uma loja, que nome sugere pra ele?",
        None,
    ),
    (
        "other/en",
        "My aunt is a retired judge who loves crosswords, any puzzle books for her?",
        None,
    ),
    (
        "other/es",
        "Mi compañera de piso es vegetariana, ¿qué cocino para su cumpleaños?",
        None,
    ),
    (
        "sarcasm/pt",
        "Claro, sou a maior cozinheira do Brasil kkkkk queimei a pipoca de micro-ondas",
        None,
    ),
    (
        "sarcasm/en",
        "oh sure, I'm a tech wizard 🙄 took me an hour to unmute myself",
        None,
    ),
    (
        "sarcasm/es",
        "Sí, claro, soy un experto en jardinería 😂 se me secó un cactus",
        None,
    ),
    (
        "temporary/pt",
        "Tô gripado desde ontem e sem voz, chá de quê ajuda?",
        None,
    ),
    (
        "temporary/en",
        "My flight got cancelled and I'm stuck in Denver overnight, any cheap hotels?",
        None,
    ),
    (
        "temporary/es",
        "Estoy de viaje en Oaxaca hasta el domingo, ¿qué mercado visito?",
        None,
    ),
    (
        "hypothetical/pt",
        "Se eu tivesse um barco, quanto gastaria por mês com marina?",
        None,
    ),
    (
        "plan/en",
        "I'm thinking of going back to school for nursing next year, is it worth it?",
        None,
    ),
    (
        "wish/es",
        "Ojalá supiera tocar la guitarra, ¿cuánto se tarda en aprender?",
        None,
    ),
    (
        "one_off/pt",
        "Gostei mais da versão com rima, pode trocar o último verso?",
        None,
    ),
    (
        "one_off/en",
        "For this cover letter only, make it sound a bit more confident",
        None,
    ),
    (
        "one_off/es",
        "Esta vez respóndeme en una tabla, por favor: planetas y sus lunas",
        None,
    ),
    (
        "ignorance/pt",
        "Não entendo nada de jardinagem, o que é adubo orgânico?",
        None,
    ),
    (
        "ignorance/en",
        "I've never used Git in my life, what's a branch?",
        None,
    ),
    (
        "ignorance/es",
        "No sé nada de vinos, ¿qué es un malbec?",
        None,
    ),
];

/// Something to remember, with a word of the expected main statement.
const POSITIVES: &[Case] = &[
    (
        "clause/pt",
        "Como sou caminhoneira e passo a semana na estrada, que lanches saudáveis levo?",
        Some(("caminhoneira", "lanches")),
    ),
    (
        "clause/en",
        "Can you suggest a packed lunch? I'm a welder and I only get a 20-minute break.",
        Some(("welder", "lunch")),
    ),
    (
        "clause/es",
        "Ya que soy hipertensa, ¿qué sopas bajas en sal me recomiendas?",
        Some(("hipertensa", "sopas")),
    ),
    (
        "joint/pt",
        "Eu e minha companheira temos uma horta comunitária no bairro, como atrair voluntários?",
        Some(("horta", "voluntários")),
    ),
    (
        "joint/en",
        "My sister and I run a dog-grooming van in Bristol, can you write a flyer?",
        Some(("grooming", "flyer")),
    ),
    (
        "joint/es",
        "Mi marido y yo vivimos en una casa de campo en Galicia, ¿qué calefacción nos conviene?",
        Some(("galicia", "calefacción")),
    ),
    (
        "explicit/pt",
        "Anota aí pra próxima: sou intolerante a frutose.",
        Some(("frutose", "")),
    ),
    (
        "explicit/en",
        "Please remember that I'm a night-shift nurse when you suggest meal times.",
        Some(("nurse", "")),
    ),
    (
        "explicit/es",
        "Recuerda que trabajo como contable autónomo, ¿vale?",
        Some(("contable", "")),
    ),
    (
        "stop/pt",
        "Para de me mandar textão, prefiro respostas curtas sempre",
        Some(("curtas", "")),
    ),
    (
        "stop/en",
        "Stop adding emojis to your answers, I really don't like them.",
        Some(("emoji", "")),
    ),
    (
        "stop/es",
        "Deja de usar tantas listas conmigo, prefiero párrafos.",
        Some(("párrafos", "")),
    ),
    (
        "after_other/pt",
        "Meu cunhado é fanático por churrasco. Eu sou vegetariana há 12 anos, o que levo pro almoço?",
        Some(("vegetariana", "cunhado")),
    ),
    (
        "after_other/en",
        "My brother-in-law is a pilot. I'm a high school art teacher, how do I explain aerodynamics with drawings?",
        Some(("teacher", "pilot")),
    ),
    (
        "after_other/es",
        "Mi suegro es de Rosario. Yo soy de Córdoba y vivo en Mendoza, ¿qué vino llevo a la cena?",
        Some(("córdoba", "suegro")),
    ),
    (
        "beside_other/pt",
        "Minha namorada mora em Niterói e eu moro em Petrópolis, onde a gente se encontra no meio?",
        Some(("petrópolis", "namorada")),
    ),
    (
        "beside_other/en",
        "My husband loves spicy food but I can't handle any chili, what curry works for us?",
        Some(("chili", "husband")),
    ),
    (
        "beside_other/es",
        "Mis padres son de Cuba y yo nací en Miami, ¿cómo practico mi español?",
        Some(("miami", "padres")),
    ),
];

/// Cases the shipped weights still get wrong (docs/memory-detector.md, known failure
/// patterns). The test fails when another case goes wrong, and also when one of these is
/// fixed, so the list stays exact.
const KNOWN_MISSES: &[&str] = &[];

/// Whether the detector gets one case right.
fn check(detector: &Detector, case: &Case, embedding: &polychat_domain::Embedding) -> bool {
    let (_, prompt, expected) = case;
    let found = detector.detect(prompt, Some(embedding));
    match expected {
        None => found.is_empty(),
        Some((word, absent)) => found.first().is_some_and(|main| {
            let text = main.text.as_str().to_lowercase();
            text.contains(word) && (absent.is_empty() || !text.contains(absent))
        }),
    }
}

#[tokio::test]
async fn every_error_class_in_every_language_round_two() {
    let detector = Detector::new().expect("weights load");
    let cases: Vec<&Case> = NEGATIVES.iter().chain(POSITIVES).collect();
    let prompts: Vec<&str> = cases.iter().map(|(_, p, _)| *p).collect();
    let embeddings = query_embeddings(&prompts).await;
    let wrong: Vec<&str> = cases
        .iter()
        .zip(&embeddings)
        .filter(|(case, embedding)| !check(&detector, case, embedding))
        .map(|(case, _)| case.0)
        .collect();
    assert_eq!(wrong, KNOWN_MISSES, "classes the detector gets wrong");
}
