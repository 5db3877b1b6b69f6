"""Hand-written English fragments for compose.py (see pools_pt.py for the layout)."""

DURABLE = [
    ("I'm a paramedic", "I"), ("I work night shifts at a warehouse", "I"),
    ("I'm a high school chemistry teacher", "I"), ("I'm a freelance translator", "I"),
    ("I run a small coffee roastery", "I"), ("I'm a second-year law student", "I"),
    ("I'm a backend dev, mostly Go", "I"), ("I'm retired", "I"), ("I drive for Uber full time", "I"),
    ("I'm an electrician", "I"), ("my name's Priya", "I"), ("I'm a PhD student in linguistics", "I"),
    ("I manage a dental clinic", "I"), ("I'm a plumber", "I"), ("I work in HR", "I"),
    ("I live in Leeds", "F"), ("I'm 52", "F"), ("I have three kids", "F"),
    ("I'm lactose intolerant", "F"), ("I'm allergic to penicillin", "F"), ("I'm deaf in one ear", "F"),
    ("I have type 2 diabetes", "F"), ("I live alone with two cats", "F"),
    ("I moved to Denver last month", "F"), ("I'm married", "F"), ("I have ADHD", "F"),
    ("I speak Tagalog and English", "F"), ("I've been learning cello for two years", "F"),
    ("I'm colorblind", "F"), ("I live on a boat", "F"), ("I'm a single dad", "F"),
    ("I'm vegan", "P"), ("I don't drink coffee", "P"), ("I'm a huge Arsenal fan", "P"),
    ("I use Arch Linux", "P"), ("I prefer TypeScript over plain JS", "P"), ("I love bouldering", "P"),
    ("I hate cilantro", "P"), ("I play chess most evenings", "P"), ("I only use Android", "P"),
    ("I'm into vinyl and old soul records", "P"), ("I don't eat pork", "P"), ("I bake sourdough every weekend", "P"),
    ("I prefer short answers", "S"), ("I like explanations with real-world examples", "S"),
]

OTHERS = [
    'my stepmom is a retired teacher', "my cousin's boyfriend is a DJ", 'my stepdad has high blood pressure', 'the guy at the front desk is super rude', 'my new manager is Canadian', 'my godson loves dinosaurs', "my kid's teacher is really strict", 'my uncle owns a farm upstate',
    "my sister is a nurse", "my boss only reads the first line of emails", "my roommate is vegan",
    "my husband has celiac disease", "my client wants a logo by Friday", "my dad lives in Ohio",
    "my best friend is a huge Lakers fan", "my son is allergic to eggs", "my coworker uses Vim",
    "my girlfriend speaks French", "my neighbor keeps bees", "my mom just retired",
    "my students are around 10 years old", "my manager loves spreadsheets",
    "our tenant is a musician", "my brother-in-law is a cop", "my daughter plays soccer",
    "my landlord is super strict", "my grandma has dementia", "my flatmate works nights",
    "my partner is a vegetarian", "my team writes everything in Java",
]

TEMPORARY = [
    "I broke my finger last month and it's in a splint", 'I caught a stomach bug', "I'm snowed in today", 'my throat is killing me', 'my meeting starts in ten minutes', "I'm crashing at my aunt's place for a few days", "I'm on call this weekend", "the power's been out since this morning", "I'm in an Airbnb in Austin till Sunday",
    "I'm so tired today", "I've got a cold this week", "I'm stuck in traffic",
    "I'm on vacation until Sunday", "I have a job interview in an hour",
    "I sprained my wrist yesterday", "I'm hungry af right now", "I'm at the airport waiting for my flight",
    "I'm working from a hotel this week", "my laptop died this morning", "I'm hungover lol",
    "I've got an exam tomorrow", "I'm flying to Chicago next week", "I'm on my phone right now",
    "I can't sleep tonight", "I'm babysitting my nephew today",
]

HYPOTHETICAL = [
    "if I were a lawyer", "suppose I opened a bakery", "let's say I had twins",
    "if I moved to Japan", "hypothetically, if I quit my job", "imagine I'm a startup founder",
    "if I won the lottery",
]

PLANS_WISHES = [
    "I wish I could retire at 40", "I'm thinking about becoming a nurse", "should I learn Rust",
    "I'd love to live in Italy someday", "maybe I'll start running next year",
    "I'm considering going vegan", "I might move to Austin", "I want to learn to surf one day",
    "my dream is to open a bookstore",
]

ONE_OFF = [
    "of the two options, I'll take the shorter one", 'I like the last title you suggested', "keep the second paragraph, it's better", 'this one can be super casual', 'make just this invite funny', 'the version without emoji is better',
    "answer this one in bullet points", "for this email keep it formal", "I like the second draft better",
    "go with option A", "just this time, keep it under 100 words", "make this reply sound friendly",
    "put this one in a table", "in this chat, reply in Spanish", "give me the short version today",
    "the first version was better", "rewrite it without the last paragraph",
]

IGNORANCE = [
    "I know nothing about crypto, what's a wallet?", "I've never studied economics, what is GDP?",
    "I'm clueless about cars, what does a timing belt do?", "no idea how mortgages work, explain?",
    "I don't know anything about wine, is pinot noir sweet?", "never understood cricket, how does scoring work?",
    "I have zero clue about networking, what's a subnet?",
]

SARCASM = [
    "sure, I'm a world-class chef, I burned the pasta again 🙃", "yeah I'm basically a millionaire lol, $12 in my account",
    "oh I'm super athletic, got winded walking to the mailbox 😂", "I'm a genius, locked my keys in the car again 🤡",
    "totally a morning person, woke up at noon lmao", "of course I'm fluent in German, I know 'danke' 😂",
    "I'm the queen of productivity, watched 9 episodes instead of working lol",
]

EXPLICIT = [
    "remember that I'm allergic to shellfish", "please remember I live in Glasgow",
    "note for the future: I'm left-handed", "don't forget I work weekends",
    "keep in mind I'm a wheelchair user", "save this: my name is Tom", "for future reference, I use a Mac",
    "remember this: I have two dogs",
]

STYLE_NEG = [
    "stop using emojis in your replies", "stop apologizing all the time", "quit calling me sir",
    "don't add disclaimers at the end anymore", "stop repeating my question back to me",
    "no more walls of text, get to the point", "stop ending every answer with a summary",
    "don't use so much bold text",
]

STYLE_STANDING = [
    "always answer in British English", "from now on use metric units", "going forward, call me Sam",
    "always cite your sources", "from now on, comment every code snippet", "talk to me casually, no formal stuff",
]

JOINT = [
    "my wife and I live in Portland", "my husband and I run a food truck", "my partner and I are both vegetarian",
    "me and my brother own a car wash", "my girlfriend and I have a dog", "my wife and I are both teachers",
    "my kids and I are big Cubs fans", "me and my roommate both work from home",
]

BESIDE = [
    "my sister lives in Boston and I live in Miami", "my wife is a doctor and I'm a nurse",
    "my dad is a Yankees fan but I'm a Red Sox fan", "my roommate eats meat, I'm vegetarian",
    "my team uses Windows, I'm on a Mac", "my parents are in Texas, I'm in Seattle",
    "my husband works days and I work nights",
]

AFTER_OTHER = [
    ("My boss is from London. I'm from Lagos", "F"),
    ("My cofounder handles sales. I handle the code, I'm a software engineer", "I"),
    ("My son loves dogs. I'm allergic to them, though", "F"),
]

TASKS = [
    "can you help me plan meals for the week?", "what's a good laptop under $800?",
    "how do I write a cover letter?", "recommend a sci-fi book?", "how long do I boil eggs?",
    "help me budget for next month", "explain compound interest simply",
    "write an email asking for a meeting", "what should I do on a rainy weekend?",
    "how do I get wine out of a carpet?", "plan a 4-day trip for me?",
    "why does this fail?\n```js\nconst x = await fetch(url).json()\n```",
    "how do I do a LEFT JOIN in SQL?", "suggest a 20 min workout", "what's the difference between TCP and UDP?",
    "any movie recs for tonight?", "how do I ask for a raise?", "what plants survive low light?",
    "give me a banana bread recipe", "how do I set up SSH keys for GitHub?", "tips for public speaking?",
    "how can I sleep better?", "name ideas for my shop?",
]

SUB_BEFORE = ["Since {f}, {t}", "As {f}, {t}", "Hey! {F}, {t}", "{F}. {T}", "{F} and {t}",
              "{F}, so {t}", "So {f}... {t}", "Quick q — {f}. {T}", "Because {f}, {t}"]
AFTER = ["{T} For context, {f}.", "{T} (fyi {f})", "{T} Oh and {f}.", "{T} Note: {f}"]
