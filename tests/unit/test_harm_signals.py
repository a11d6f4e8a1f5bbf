"""The phrase safety net: what must trigger, what must not, and that no pattern is dead."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
import yaml

from bot import harm_signals
from bot.harm_signals import (
    NO_SIGNAL,
    PHRASES_PATH,
    HarmSignal,
    PhraseListError,
    detect,
    explain,
    load_phrases,
    normalise,
    parse_phrases,
)

DI = "disclosure"
INJ = "injury"
SEX = "sexual_harm"
FGM = "fgm_forced_marriage"
EXP = "exploitation"
DA = "domestic_abuse_high_risk"
SH = "self_harm_suicide"
NEG = "neglect"
NOW = "immediate_danger"

# (message, categories that must be among those found). None of these is immediate danger.
SIGNIFICANT_HARM: list[tuple[str, set[str]]] = [
    # disclosure
    (
        "Hi, I'm the DSL at a primary school. A Y4 boy told his class teacher this morning "
        "that his dad hits him with a belt when he gets in trouble. He seemed really "
        "frightened saying it. What should I do?",
        {DI},
    ),
    (
        "Pupil (Y9) disclosed to me at break that her mum's boyfriend touched her when mum "
        "was at work. She's asked me not to tell anyone.",
        {DI},
    ),
    (
        "SW here. Child on a CiN plan says her step-dad slaps her across the face most weekends.",
        {DI},
    ),
    (
        "He was beaten by his older brother over the weekend and came in limping, says it "
        "happens a lot",
        {DI},
    ),
    ("she says she'll get a good hiding if her report is bad, she's in Y3", {DI}),
    (
        "The child has made a disclosure to the school nurse and I need advice on next steps. "
        "She is 11.",
        {DI},
    ),
    (
        "Y2 girl is terrified of her dad, she sobbed when she heard he was collecting her and "
        "wouldn't let go of the TA",
        {DI},
    ),
    ("When the TA asked about the mark he said daddy did it because he was naughty", {DI}),
    (
        "I'm a youth worker, a 15yo lad told me his dad has been hitting him since his mum "
        "left, he's got no one else to talk to",
        {DI},
    ),
    (
        "Concerns about emotional abuse - parents constantly belittle and humiliate her in "
        "front of her siblings, she's 8",
        {DI},
    ),
    ("CP concern about a 9 year old, I'd like some advice please", {DI}),
    # injury
    (
        "HV visit this morning, 4 month old baby has a small bruise on his cheek, parents "
        "can't explain it and seemed defensive",
        {INJ},
    ),
    (
        "Nursery practitioner noticed unexplained brusing on the upper arms of a 3yo when "
        "changing her, looked like fingertip marks",
        {INJ},
    ),
    ("He came into school with a black eye on Monday and wouldn't say how it happened", {INJ}),
    (
        "Mum's explanation for the burn doesn't fit - she says he touched the oven but it is "
        "a perfect circle",
        {INJ},
    ),
    ("Toddler has cigarette burns on both hands, we are really worried", {INJ}),
    ("Paeds have confirmed a spiral fracture in a 2 yr old, no history of a fall", {INJ}),
    ("Suspected NAI on a 7 week old, hospital doing a skeletal survey", {INJ}),
    ("The paediatrician wants a CP medical for the 5yo with the marks", {INJ}),
    ("Y10 lad came in with a stab wound, says he got jumped, not telling us who", {INJ}),
    (
        "non-mobile baby, 5 months, red marks on the back of her neck noticed by the childminder",
        {INJ},
    ),
    ("Bruising to a 6wk old baby's tummy, mum says the older sibling must have done it", {INJ}),
    ("Bruises of different colours on his back, mum says he falls off his bike a lot", {INJ}),
    ("Her sister says dad poured boiling water on her as a punishment", {INJ}),
    ("Multiple lumps on his head and a split lip, and his explanation keeps changing", {INJ}),
    ("slap marks on the side of her face this morning, Y7", {INJ}),
    (
        "Baby brought into A&E floppy, the registrar mentioned a bleed on the brain and "
        "retinal haemorrhages",
        {INJ},
    ),
    ("burn marks on his legs that look like they came from a lighter", {INJ}),
    ("Perfectly round burn on her forearm, she says she doesn't know how it happened", {INJ}),
    # sexual harm
    (
        "I'm worried a Y6 girl is being sexualy abused - she has drawn pictures of a man and "
        "says he is her mum's friend",
        {SEX},
    ),
    ("15yo says she was raped at a party last weekend", {SEX}),
    ("4 year old says her uncle touches her inapropriately at bath time", {SEX}),
    ("Child says her stepbrother made her touch his private parts", {SEX}),
    (
        "12 y/o has been sending nude pics to someone she met on snapchat, he's now "
        "threatening to share them",
        {SEX},
    ),
    ("Concerns he's being groomed online by an adult who keeps sending him gifts", {SEX}),
    ("An 11 year old was sent porn by a man on Roblox who wants to meet her", {SEX}),
    ("Reception child simulating sex acts with dolls and using very sexualised language", {SEX}),
    (
        "14 year old in Y9 has told us she's pregnant and won't say who the father is",
        {SEX},
    ),
    ("Mum's new partner is an RSO and has moved in with her and the 3 girls", {SEX}),
    ("Y11 girl told a friend she has been having sex with a 25 year old man for money", {SEX}),
    ("She says mum's boyfriend gets into bed with her at night", {SEX}),
    ("He says his dad makes him watch adult films", {SEX}),
    ("13 year old says she is in a relationship with a 24 year old man", {SEX}),
    # FGM and forced marriage
    (
        "Mum has had FGM herself and is talking about taking her 7 yo daughter to Sudan this "
        "summer for a special ceremony",
        {FGM},
    ),
    (
        "Girl in Y10 says her parents are taking her to Pakistan in the holidays to get "
        "married and she doesn't want to",
        {FGM},
    ),
    (
        "17 year old says she is being forced to marry her cousin and her passport has been taken",
        {FGM},
    ),
    ("HBA concern: 16yo beaten by her brothers for bringing shame on the family", {FGM}),
    ("She said her aunties talked about a cutting ceremony for the girls", {FGM}),
    # exploitation
    (
        "We think a 14yo is involved in county lines, found in Nottingham with two phones "
        "and a lot of cash",
        {EXP},
    ),
    ("CSE concerns re Y9 girl", {EXP}),
    ("She's 14 and has an older boyfriend who buys her vapes", {EXP}),
    (
        "13 year old keeps going missing overnight, comes back drunk and won't say where he's been",
        {EXP},
    ),
    ("Young person has been seen getting into cars with older men outside school", {EXP}),
    ("he has new £200 trainers and he won't explain where the money came from", {EXP}),
    (
        "Possible trafficking, 15yo unaccompanied asylum seeker, says he owes money to the "
        "men who brought him here",
        {EXP},
    ),
    ("He's started hanging around with a gang and was caught with a knife in his bag", {EXP}),
    ("Concerns about CCE, dealing weed for older lads", {EXP}),
    ("Mum's flat is being cuckooed by local dealers and the kids are living there", {EXP}),
    # domestic abuse, high risk
    ("DV incident last night, dad strangled mum in front of the kids, police attended", {DA}),
    ("Mum says her ex threatened to kill her and the children if she leaves", {DA}),
    ("Partner came at mum with a kitchen knife while she was holding the baby", {DA}),
    ("We've had a MARAC notification for a family at our school", {DA}),
    (
        "High risk DASH completed by police, mum is pregnant and he kicked her in the "
        "stomach while she was pregnant",
        {DA},
    ),
    ("Mum's ex keeps breaching the non-mol and the abuse is escalating", {DA}),
    ("She said he choked her until she passed out", {DA}),
    # self harm and suicide
    ("Y8 girl is suicidal, she has written a note and says she has a plan", {SH}),
    ("He told the school counsellor he wants to die", {SH}),
    ("Took an overdose of paracetamol at the weekend, back in school today", {SH}),
    ("Staff found a ligature in her bag", {SH}),
    ("Yr 10 has been self-harming, cuts on her arms needed stitches", {SH}),
    ("15 yr old boy having sucidal thoughts since his dad left", {SH}),
    ("She's been cutting again and says she's going to end it", {SH}),
    # neglect
    ("The 3 and 5 yr old were left home alone overnight while mum went out drinking", {NEG}),
    ("Kids coming in hungry every day, there's no food in the house and no electric", {NEG}),
    ("Dad locks her in her bedroom for the whole weekend as a punishment", {NEG}),
    ("Nursery closes at 6, it is 6:45 and no one has come to collect him", {NEG}),
    ("He's still here at nursery after closing and we can't get hold of either parent", {NEG}),
    ("Mum was drunk while looking after the baby, according to the neighbour", {NEG}),
    (
        "Methadone left within reach of the toddler, and the 2yo swallowed a tablet last month",
        {NEG},
    ),
    (
        "Police attended, house is filthy, dog mess everywhere and the children sleep on the floor",
        {NEG},
    ),
    (
        "HV says this is chronic neglect, the baby has severe nappy rash and an untreated "
        "infection",
        {NEG},
    ),
    ("6 yr old found wandering the streets at 10pm by police last week", {NEG}),
    ("16 year old was kicked out by mum last week and is sofa surfing", {NEG}),
    ("Mum refuses to take him to the doctor even though his eczema is infected", {NEG}),
    ("Dad says he has abandoned the family and won't be back", {NEG}),
    ("Parents inject in front of the kids and there are needles left around the flat", {NEG}),
]

# (message, categories that must be among those found). All of these are immediate danger.
IMMEDIATE: list[tuple[str, set[str]]] = [
    (
        "He's in the house with his stepdad right now and texted his friend saying he's scared",
        {NOW},
    ),
    ("The girl has gone home with her abuser, he picked her up 10 mins ago", {NOW}),
    ("Dad has a knife and is in the house with the kids", {NOW}),
    (
        "Y5 boy refusing to go home, says he is too scared because mum's boyfriend hit him "
        "last night",
        {NOW, DI},
    ),
    (
        "Mum is in reception to collect the twins and she is clearly drunk, slurring her words",
        {NOW},
    ),
    (
        "Our 14 year old LAC is still missing from her placement, last seen with older men "
        "yesterday",
        {NOW, EXP},
    ),
    ("Dad has just turned up outside school and is threatening to kill mum", {NOW, DA}),
    ("Is she in immediate danger? I think she might be", {NOW}),
    ("he has just taken a load of tablets and is in the toilets", {NOW}),
    (
        "I can hear screaming and banging from the flat next door and there's a toddler in there",
        {NOW},
    ),
    ("A child has just been grabbed outside the shop", {NOW}),
    ("The baby is not breathing properly and mum is refusing to call an ambulance", {NOW}),
    ("A man is trying to drag a girl into a van outside the school", {NOW}),
    ("dad is drunk and about to drive off with the kids in the car", {NOW}),
    ("pupil says she's being taken to the airport tonight to be married", {NOW}),
    ("The 4 and 2 year old are home alone right now, mum's phone is off", {NOW, NEG}),
    ("she says her stepdad will kill her if she goes home", {NOW}),
    ("Mum is being attacked by her partner and the kids are in the house", {NOW}),
    ("he's been stabbed and the lads who did it are still outside the gates", {NOW}),
    ("Boy standing on the railway line near the school", {NOW}),
    ("kids have been alone for hours, there is no adult in the house", {NOW}),
    ("Dad has just said he is going to kill the baby", {NOW}),
    ("the 5 year old has been left in a hot car outside the shop", {NOW}),
    ("she has collapsed and the baby is alone with her", {NOW}),
    ("Y9 girl is being held at a flat by older men and cannot leave", {NOW, EXP}),
    ("There's a fire in the flat and the children are inside", {NOW}),
    ("A girl is standing on the roof of the multi-storey saying she'll jump", {NOW}),
    ("The kids say there's a man trying to get in the house", {NOW}),
    ("Dad's holding the baby and threatening to drop her", {NOW}),
    ("mum won't wake up and the kids are on their own", {NOW}),
    ("Neighbour says the flat is on fire and the kids are inside", {NOW}),
    ("I've just seen a girl being pushed into a car by two men", {NOW}),
    ("A 2 year old is in the road on his own outside the nursery", {NOW}),
]

# Everyday chat and ordinary lower-level concerns: no signal at all.
NEGATIVES: list[str] = [
    "hello",
    "Hi there",
    "can I speak to someone",
    "what are your hours",
    "What time do you open on a Monday?",
    "thanks, that's really helpful",
    "yes",
    "no",
    "not sure",
    "start again",
    "help",
    "stop",
    "My name is Sarah Jones",
    "I'm the DSL at St Mary's Primary",
    "42 Osmaston Road, Derby DE1 2GH",
    "01332 123456",
    "07700 900123",
    "sarah.jones@stmarys.derby.sch.uk",
    "I'm a health visitor with Derbyshire Community Health Services",
    "Attendance has dropped to 85% this term",
    "he seems a bit withdrawn",
    "mum is struggling with money",
    "dad lost his job",
    "she's been late most mornings",
    "they need help with housing",
    "I'd like some advice on how to start an EHA with a family",
    "Can I make a referral through you?",
    "His marks in maths have dropped and he couldn't explain why",
    "Mum finds his behaviour hard to manage since the new baby arrived",
    "He fell in the playground and grazed his knee, first aid given and mum told at pick up",
    "There are some low level neglect concerns, uniform not washed and he's often tired",
    "She's a young carer for her mum who has MS",
    "Family were evicted and are in temporary accommodation, the kids are unsettled",
    "Dad has a new partner and the children are adjusting",
    "The HV has raised concerns about mum's low mood after the birth",
    "His uncle died by suicide last year and he is struggling with grief",
    "Parents are separating and there's conflict over contact arrangements",
    "He likes to be left alone at break times and seems sad",
    "She has been missing school on Mondays",
    "Things keep going missing from his bag",
    "The cost of living has hit the family hard",
    "Mum is dealing with a lot at the moment",
    "Can you tell me what a CiN plan is?",
    "The LAC review is next week, who should I invite?",
    "The SW is on leave, who do I contact?",
    "We ran a self-harm awareness session for staff last week",
    "Dad asked for a food bank voucher, he's been out of work since September",
    "Standard risk DA notification from police, mum and dad argue a lot",
    "Mum is an alcoholic but is in recovery and engaging well with services",
    "I touched base with mum this morning about his attendance",
    "my bins weren't collected",
    "He got new trainers for his birthday",
    "She's 14 and spending a lot of time in her room gaming",
    "The baby is thriving and mum is coping well with support from her family",
    "Dad says the divorce has been hard on them all",
    "He was hit by a car last year and is still in a wheelchair",
    "He's been kicked out of football club for swearing",
    "He went missing from class for ten minutes and was found in the toilets",
    "She hurt her wrist playing netball",
    "Mum has a new boyfriend and the kids seem to like him",
    "He's a looked after child in a stable foster placement, doing well",
    "The baby was born premature and is now thriving",
    "I can't get hold of mum to discuss his attendance",
    "is the line open right now?",
    "I'll call you back tonight",
    "Not a safeguarding concern exactly, but what support is there?",
    "I'm a detective in the child abuse investigation unit",
]

# The caller's own denial before a phrase: no signal for that phrase.
NEGATED = [
    "No concerns about unexplained injuries, it's just his attendance.",
    "There are no bruises on her face or arms.",
    "No history of self harm, she's just low at the moment.",
    "He has never been left alone as far as we know.",
    "She is not in immediate danger, she is staying with her nan tonight.",
    "She's not in danger tonight, she's at her nan's",
    "No visible injuries on the baby today.",
    "She has never disclosed abuse to anyone at school, it's just a feeling",
    "We're not aware of any unexplained injuries",
]

# Negation reaches only the phrase it stands before; anything else still counts.
NEGATION_DOES_NOT_HIDE = [
    ("There are no bruises, but she told me her dad hits her", DI),
    ("Mum says there are no marks but I saw bruising on his neck", INJ),
    ("Mum denies hitting him but he says she does it every day", DI),
    ("Not sure if this is relevant but she has a black eye", INJ),
    ("there's no food in the house", NEG),
    ("he is not safe to go home", NOW),
]

POSITIVE_MESSAGES = [m for m, _ in SIGNIFICANT_HARM + IMMEDIATE + NEGATION_DOES_NOT_HIDE]


def test_there_are_enough_examples() -> None:
    assert len(SIGNIFICANT_HARM) + len(IMMEDIATE) >= 60
    assert len(NEGATIVES) >= 30
    named = {category.name for category in load_phrases().categories}
    covered = set().union(*(cats for _, cats in SIGNIFICANT_HARM + IMMEDIATE))
    assert covered == named, "every category needs positive examples"


@pytest.mark.parametrize(("message", "categories"), SIGNIFICANT_HARM)
def test_significant_harm_is_signalled(message: str, categories: set[str]) -> None:
    signal = detect(message)
    assert signal.significant_harm, explain(message)
    assert categories <= set(signal.categories), signal.categories
    assert not signal.immediate_danger, explain(message)


@pytest.mark.parametrize(("message", "categories"), IMMEDIATE)
def test_immediate_danger_is_signalled(message: str, categories: set[str]) -> None:
    signal = detect(message)
    assert signal.immediate_danger, explain(message)
    assert signal.significant_harm
    assert categories <= set(signal.categories), signal.categories


@pytest.mark.parametrize("message", NEGATIVES)
def test_ordinary_messages_do_not_trigger(message: str) -> None:
    assert detect(message) == NO_SIGNAL, explain(message)


@pytest.mark.parametrize("message", NEGATED)
def test_the_callers_own_denial_before_a_phrase_is_respected(message: str) -> None:
    assert detect(message) == NO_SIGNAL, explain(message)


@pytest.mark.parametrize(("message", "category"), NEGATION_DOES_NOT_HIDE)
def test_negation_does_not_hide_other_signals(message: str, category: str) -> None:
    assert category in detect(message).categories, explain(message)


def test_every_pattern_compiles_and_matches_a_positive_message() -> None:
    phrases = load_phrases()
    normalised = [normalise(message) for message in POSITIVE_MESSAGES]
    dead = [
        f"{category.name}: {phrase.catches}"
        for category in phrases.categories
        for phrase in category.phrases
        if not any(phrase.regex.search(text) for text in normalised)
    ]
    assert not dead, "patterns no positive message exercises:\n" + "\n".join(dead)


def test_every_rewrite_is_exercised_by_a_normalising_case() -> None:
    inputs = [text.casefold() for text, _ in NORMALISING]
    unused = [
        pattern.pattern
        for pattern, _ in load_phrases().rewrites
        if not any(pattern.search(text) for text in inputs)
    ]
    assert not unused, unused


def test_every_negation_cue_is_needed() -> None:
    data = yaml.safe_load(PHRASES_PATH.read_text(encoding="utf-8"))
    for cue in data["negation_cues"]:
        others = [other for other in data["negation_cues"] if other != cue]
        without = parse_phrases({**data, "negation_cues": others})
        assert any(detect(message, without).significant_harm for message in NEGATED), cue


# Typos, abbreviations and text-speak professionals write, and what they become.
NORMALISING: list[tuple[str, str]] = [
    ("She\u2019s 15yo", "shes 15 year old"),
    ("a 3 y/o", "a 3 year old"),
    ("5 mths old", "5 month old"),
    ("6 wks old", "6 week old"),
    ("FGM risk", "female genital mutilation risk"),
    ("CSE and CCE", "child sexual exploitation and child criminal exploitation"),
    ("CSA", "child sexual abuse"),
    ("NAI", "non accidental injury"),
    ("DV", "domestic violence"),
    ("LAC", "looked after child"),
    ("NFS reported", "non fatal strangulation reported"),
    ("HBV", "honour based abuse"),
    ("RSO", "registered sex offender"),
    ("HSB", "harmful sexual behaviour"),
    ("an NMO", "an non molestation order"),
    ("MFH twice", "missing from home twice"),
    ("a CP medical", "a child protection medical"),
    ("misper", "missing person"),
    ("her bf", "her boyfriend"),
    ("his gf", "his girlfriend"),
    ("took an OD", "took an overdose"),
    ("she ODed", "she overdosed"),
    ("going home 2nite", "going home tonight"),
    ("hes gonna", "hes going to"),
    ("i wanna", "i want to"),
    ("cos he", "because he"),
    ("u know", "you know"),
    ("14 n he", "14 and he"),
    ("w/ dad", "with dad"),
    ("evry nite", "every night"),
    ("step dad", "stepdad"),
    ("selfharm", "self harm"),
    ("sexully abused", "sexually abused"),
    ("sexaul abuse", "sexual abuse"),
    ("he hitted her", "he hit her"),
    ("hiting", "hitting"),
    ("brused arm", "bruised arm"),
    ("brusies", "bruises"),
    ("strangeled", "strangled"),
    ("choaked", "choked"),
    ("suicidle", "suicidal"),
    ("sucide", "suicide"),
    ("traficked", "trafficked"),
    ("exploitaion", "exploitation"),
    ("neglegted", "neglected"),
    ("innapropriately", "inappropriately"),
    ("threatend", "threatened"),
    ("unexplaind", "unexplained"),
    ("suspicous", "suspicious"),
    ("a kinfe", "a knife"),
    ("forced marraige", "forced marriage"),
    ("pregant", "pregnant"),
    ("abussed", "abused"),
    ("tuched", "touched"),
    ("malnurished", "malnourished"),
    ("won't, can't, doesn't, didnt", "will not cannot does not did not"),
    ("non-mobile \u201cbaby\u201d", "non mobile baby"),
    ("Mum\u2019s   boyfriend \u2014  DAD", "mums boyfriend dad"),
    ("there's", "there is"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALISING)
def test_normalising(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_a_signal_names_its_categories_and_immediate_danger_implies_harm() -> None:
    signal = detect("dad has a knife and says he will kill her tonight")
    assert signal == HarmSignal(True, True, signal.categories)
    assert signal.categories[-1] == NOW
    assert DA in signal.categories
    assert bool(signal) and not bool(NO_SIGNAL)
    assert detect("") == NO_SIGNAL and detect("   ") == NO_SIGNAL
    for message in POSITIVE_MESSAGES + NEGATIVES:
        found = detect(message)
        assert found.significant_harm or not found.immediate_danger
        assert found.significant_harm == bool(found.categories)


def test_explain_names_patterns_not_the_callers_words() -> None:
    reasons = explain("Toddler has cigarette burns on both hands")
    assert reasons and all(category == INJ for category, _ in reasons)
    assert all("toddler" not in catches.casefold() for _, catches in reasons)
    assert explain("hello") == ()


def test_the_list_awaits_review_by_the_safeguarding_lead() -> None:
    phrases = load_phrases()
    assert "safeguarding lead" in phrases.reviewed_by
    assert phrases.reviewed is False
    assert load_phrases() is phrases  # read once
    assert Path(harm_signals.__file__).with_name("harm_phrases.yml") == PHRASES_PATH


def _minimal(pattern: str) -> dict[str, object]:
    return {
        "reviewed_by": "x",
        "negation_cues": ["no"],
        "vocabulary": {"kid": "(?:child|kid)"},
        "categories": {
            "immediate_danger": {
                "immediate_danger": True,
                "patterns": [{"catches": "test", "re": pattern}],
            }
        },
    }


def test_a_minimal_list_works_and_expands_vocabulary() -> None:
    phrases = parse_phrases(_minimal(r"\b<kid> in danger\b"))
    assert phrases.categories[0].phrases[0].regex.search("a kid in danger")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_minimal(r"(unclosed"), "does not compile"),
        (_minimal(r"<nobody> here"), "unknown vocabulary <nobody>"),
        (
            {**_minimal("x"), "categories": {"a": {"patterns": [{"catches": "c", "re": "x"}]}}},
            "immediate_danger",
        ),
        ({**_minimal("x"), "reviewed_by": ""}, "reviewed_by"),
        ({**_minimal("x"), "negation_cues": []}, "negation_cues"),
        ([], "mapping"),
    ],
)
def test_a_broken_list_is_refused(data: object, message: str) -> None:
    with pytest.raises(PhraseListError, match=message):
        parse_phrases(data)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PhraseListError, match="cannot read"):
        load_phrases(tmp_path / "absent.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("categories: [", encoding="utf-8")
    with pytest.raises(PhraseListError, match="not valid YAML"):
        load_phrases(bad)


def test_the_module_runs_in_rasas_python_310_with_only_stdlib_and_yaml() -> None:
    source = Path(harm_signals.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source, feature_version=(3, 10))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - set(sys.stdlib_module_names) == {"yaml"}
