"""The phrase safety net: what must trigger, what must not, and that no pattern is dead."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
import yaml

from bot.adapters import harm_phrases
from bot.adapters.harm_phrases import PHRASES_PATH, detect, explain, load_phrases, normalise
from bot.domain import harm_signals
from bot.domain.harm_signals import (
    NO_SIGNAL,
    HarmSignal,
    Phrase,
    PhraseListError,
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
    # Session 6's development hard-negative set's three misses, made patterns.
    ("12yo with autism is being tied to his bed at night by his parents", {"neglect"}),
    (
        "mums new partner is known to have hurt his previous children and shes moved him in",
        {"risk_from_adult"},
    ),
    (
        "mum wrote he can't go on the trip cos he's getting married in august, he's 15",
        {"fgm_forced_marriage"},
    ),
    ("Y10 lad searched how to make a pipe bomb on a library PC", {"radicalisation"}),
    ("the 18 month old tested positive for cannabis at the children's hospital", {NEG}),
    ("the 2 year old swallowed some of dads methadone last night", {NEG}),
    ("mum was barely rousable on the sofa, the baby crawling about", {NEG}),
    ("dad could not be woken and the 3 year old had let herself out", {NEG}),
    ("used needles on the coffee table and a toddler in the flat", {NEG}),
    ("HV: 8 month old failing to thrive, has dropped 2 centiles since May", {NEG}),
    ("older lads are forcing him to carry drugs to Nottingham", {EXP}),
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
    ("A 7 year old is at my door, scared to go back in because his dad is shouting", {NOW}),
    ("She rang from a flat party, the men there will not let her leave", {NOW}),
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
    "my sister is getting married in august and she is 25",
    "mum is getting married in june and he is 9 and a pageboy",
    "he tied his shoelaces to the table",
    "dad has previously hurt his back at work",
    "She is scared to go back in to class after falling out with her friends",
    "Mum won't let her go to the party on Saturday",
    "He made them take the books home to read",
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
    # Lower-level concerns (Universal or Emerging needs) near the indirect wording above.
    "He is late most days",
    "She seems tired in class",
    "Low mood since Christmas",
    "His uniform is messy and he often forgets his PE kit",
    "She has head lice again",
    "Missed two dental appointments this year",
    "Parents are going through a divorce",
    "There's a housing repair outstanding, the boiler keeps breaking",
    "The landlord hasn't fixed the damp and mould",
    "Too much screen time, he's on his phone until midnight",
    "Exam stress, she's worried about her GCSEs",
    "Friendship fall-out with her best friend",
    "There are no safeguarding concerns at this time",
    "No safeguarding concerns",
    "She's been grounded for a week",
    "He was sent to his room for being rude",
    "He is scared of the dark",
    "Mum threatened to take his Xbox away if he doesn't do his homework",
    "She has a Saturday job and earns some money",
    "They went to Birmingham for the day",
    "The baby sleeps in a cot next to mum's bed",
    "He has been playing Fortnite online with his friends",
    "She's nervous about the school play tomorrow",
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

RISK = "risk_from_adult"
RAD = "radicalisation"
FII = "fabricated_illness"

# Indirect and euphemistic wording professionals use (reviewed against Working Together to
# Safeguard Children, the Derby and Derbyshire thresholds and NSPCC indicators). One row per
# pattern: (category, the start of the pattern's `catches`, messages it must catch, near misses
# that must raise no signal at all). A message a row must catch is immediate danger exactly
# when the row's category is.
INDIRECT: list[tuple[str, str, list[str], list[str]]] = [
    # disclosure: emotional abuse, coercion into silence, cruel punishment
    (
        DI,
        "a child threatened into silence",
        [
            "He said something bad will happen to his mum if he tells anyone",
            "Dad told her if she tells anyone he'll go to prison and it will be her fault",
            "She says she'll be taken into care if she tells",
        ],
        [
            "If he tells lies he'll be in trouble",
            "If he says anything rude he will be in trouble at school",
            "If she tells the teacher she will get help with her reading",
        ],
    ),
    (
        DI,
        "secrecy demanded of a child",
        [
            "She was told not to tell or she'd be taken away",
            "He says he's not allowed to tell anyone what happens at home",
            "Her stepdad made her promise not to tell",
            "She has been warned not to say anything to school",
            "She said he makes her keep secrets about what they do",
        ],
        [
            "Mum told him not to tell his dad about the birthday present",
            "He told me not to tell his mum he got a detention",
            "The class were told not to talk during the test",
            "He's not allowed to tell jokes in class",
        ],
    ),
    (
        DI,
        "cruel or degrading punishment",
        [
            "He is made to stand facing the wall for hours as punishment",
            "She is made to kneel on rice when she is naughty",
            "Dad forced him to eat until he was sick",
            "They make her have cold showers as a punishment",
            "He was made to sleep in the garden",
        ],
        [
            "She was made to stand outside the classroom for ten minutes",
            "He had his phone taken away as a punishment",
            "He is made to tidy his room as punishment",
        ],
    ),
    (
        DI,
        "a child degraded or rejected by a carer",
        [
            "Mum calls her worthless and says she wishes she'd never been born",
            "Dad constantly tells him he is stupid and that nobody loves him",
            "Mum says she doesn't want him any more",
            "The family have accused her of being a witch",
        ],
        [
            "Mum says she hates her job",
            "Mum said she doesn't want her going out late",
            "Dad says the film was rubbish",
        ],
    ),
    (
        DI,
        "a child who flinches or cowers",
        [
            "She flinches whenever an adult raises their hand",
            "He cowers when staff come near him",
            "Nursery staff describe frozen watchfulness",
        ],
        [
            "He flinched when the ball came at him",
            "She flinches at loud noises",
            "He froze when the teacher asked him a question",
        ],
    ),
    (
        DI,
        "a child frightened of what will happen at home",
        [
            "She is terrified of what will happen when she gets home",
            "He's scared of what will happen to his mum if he tells",
        ],
        [
            "She is worried about what will happen at home when dad moves out",
            "He's scared of what will happen in his exams",
        ],
    ),
    # injury: patterned marks by shape, body part first, shifting accounts
    (
        INJ,
        "a mark shaped like a hand, belt, cord, iron",
        [
            "There's a mark that looks like a hand on his cheek",
            "He has marks on his legs that look like they were made by a cord",
            "Burn on her arm that looks like it was made by an iron",
            "slipper marks on his bottom",
        ],
        [
            "His handwriting looks like his brother's",
            "The drawing looks like a hand",
        ],
    ),
    (
        INJ,
        "a body part described as bruised, swollen, burnt or torn",
        [
            "His ear is bruised and swollen",
            "Her frenulum is torn",
            "Her inner thighs were bruised",
            "Her neck is marked and she won't say what happened",
        ],
        [
            "She came back from holiday with her face burnt from the sun",
            "His eyes are swollen from crying",
            "His knee is swollen after football",
            "His work was marked by the teacher",
        ],
    ),
    (
        INJ,
        "differing or shifting explanations for an injury",
        [
            "Mum and dad have given different accounts of how the arm was broken",
            "Asked about the bruise on his back, his story changes every time",
            "Conflicting explanations for the burn from mum and nan",
        ],
        [
            "Parents gave different reasons for his absence",
            "Two versions of the school trip letter went out",
        ],
    ),
    (
        INJ,
        "ANY injury, bruise or mark on a baby or non-mobile child",
        [
            "Bruise on the shin of a 13 month old who does not cruise yet",
            "Bruising on the arm of a 6 year old with cerebral palsy who cannot walk",
        ],
        [
            "He cannot walk to school on his own yet",
            "She is 14 months old and not walking yet",
        ],
    ),
    # sexual harm: sexualised behaviour, online grooming, physical signs, an adult in the bed
    (
        SEX,
        "sexual knowledge or behaviour beyond the child's age",
        [
            "Her behaviour is sexualised beyond her age",
            "6 year old knows about sex acts far beyond what you'd expect",
            "Nursery report he keeps humping other children and masturbating in front of staff",
        ],
        [
            "We did RSE lessons on sex education this week",
            "In RSE we talked about sexual intercourse and consent",
            "Her behaviour in class is disruptive",
            "She's started her period and needs support",
        ],
    ),
    (
        SEX,
        "an adult or stranger asking a child for pictures",
        [
            "An adult man is messaging her on Snapchat and asking for pictures",
            "A man she met on Instagram asked her to send photos of herself",
            "He's been asked to send pics of himself by someone online",
            "Someone on Fortnite has been asking him for pictures",
            # blind-12 (session 4): a longer gap between the man and the asking
            "a man who says he's 23 has been messaging her on snap asking for pics with less on",
            "a guy she only knows from an online game and has never met keeps asking her for "
            "photos",
        ],
        [
            "The teacher asked her to send photos of her homework",
            "Mum asked him to send a photo when he arrives",
            "They asked for a picture for the school website",
            "Her friends sent pictures from the party",
        ],
    ),
    (
        SEX,
        "an adult or stranger messaging or talking to a child",
        [
            "An adult man is messaging her on Snapchat",
            "She has been chatting to a man on Roblox",
            "A 40 year old man keeps texting her",
        ],
        [
            "He was messaging his friends on Snapchat last night",
            "We ran an online safety session about talking to strangers online",
            "She uses Snapchat and Instagram like her friends",
        ],
    ),
    (
        SEX,
        "a child meeting, or planning to meet, someone they know only online",
        [
            "She's planning to meet a man she met online",
            "He has arranged to meet someone from Roblox at the weekend",
            "She talks to a boy on Snapchat and they are going to meet up",
        ],
        [
            "He plays Fortnite online with his friends from school",
            "He's meeting his friends at the park after school",
        ],
    ),
    (
        SEX,
        "online grooming tactics",
        [
            "Someone on Fortnite has been offering him V-bucks",
            "A man she met gaming asked her to move to a private chat",
            "He said it was our little secret",
            "She was asked to undress on a video call",
            "He's been playing on Xbox with a man who sends him gifts",
        ],
        [
            "Grandma bought him Robux for his birthday",
            "Grandad bought her a new phone for Christmas",
            "We're keeping the surprise party a secret",
            "She told me a secret about her crush",
        ],
    ),
    (
        SEX,
        "pregnancy or sexual activity of a child under 16",
        [
            "She's 12 and pregnant",
            "Y8 girl is pregnant",
            "She became pregnant at 14",
            "He's 13 and says he is sexually active",
            # blind-12 (session 4)
            "pregnancy test came back positive, she's 12",
            "school nurse did a pregnancy test today and it was positive, she is 14",
        ],
        [
            "Mum is 12 weeks pregnant",
            "mum is pregnant again, she's 12 weeks",
            "mum is pregnant and her eldest daughter is 12",
            "Mum is pregnant with her 4th child",
            "Year 10 RSE lesson on teenage pregnancy",
        ],
    ),
    (
        SEX,
        "a man or adult sleeping in a child's bed",
        [
            "Stepdad sleeps in her bed",
            "Dad sleeps in the same bed as his 11 year old daughter",
            "An adult is sleeping in the child's bed",
        ],
        [
            "He sleeps in mum's bed when he has nightmares",
            "Mum shares a bed with her 8 year old because they only have one bedroom",
            "Toddler co-sleeps with parents",
        ],
    ),
    (
        SEX,
        "physical signs of sexual abuse",
        [
            "Child has soreness and bleeding in the genital area",
            "She has a vaginal discharge and is 4",
        ],
        [
            "She has a sore throat",
            "He has a rash on his arm",
        ],
    ),
    (
        SEX,
        "an adult's private parts put in or on a child",
        [
            "reception child said mummy's friend puts his willy in my mouth",
            "Y1 girl said her grandad puts his sausage on her face",
            "he said the man rubs his thing on my bum",
        ],
        [
            "He put his hand in his mouth and bit it",
            "She puts her finger in her mouth when she is anxious",
            "He rubs his eyes a lot in class",
        ],
    ),
    (
        DI,
        "the child dreads home or a visit because of what an adult does there",
        [
            "He hates going home at weekends because of what his stepdad does to him",
            "She doesn't want to stay at her nan's house because of the things her cousin does",
            "dreads sleeping over at dad's because of what dad's girlfriend says to her",
        ],
        [
            "He doesn't like going to football because of what happened last week",
            "She hates going home early because her dad works late and the house is empty",
            "She doesn't like going home on the bus because of what the older kids say",
        ],
    ),
    (
        SEX,
        "someone coming into the child's room or bed again or at night",
        [
            'she texted "hes started coming in my room again"',
            "He said his uncle creeps into his bedroom at night when everyone is asleep",
            "she says her stepdad comes into her bed when mum is on nights",
        ],
        [
            "he keeps coming in my room to borrow my charger",
            "my little brother came into my room this morning and woke me up",
            "She comes into my classroom again after lunch to help",
        ],
    ),
    (
        SEX,
        "an adult who is not a parent in the child's bed, and the child newly wetting",
        [
            "mum's boyfriend has started getting into her bed at night and she has begun "
            "wetting again",
            "the lodger sometimes sleeps in the girl's bed when mum works nights, "
            "she's become clingy",
            "her new partner has been bathing her and sleeping in her bed when mum is on nights, "
            "and she has started wetting and screaming at bath time",
        ],
        [
            "Mum's new partner has been great with the kids, he helps with bath time and stories",
            "The lodger gets into bed early because he works shifts, the kids are fine",
            "Grandad is staying over and the kids are sleeping in their own beds, "
            "excited not scared",
        ],
    ),
    (
        SEX,
        "secret games, cuddles or touching with an adult",
        [
            "She said she and Darren play secret games when mum is out",
            "mum's boyfriend showers with her and she doesn't like it",
            "He talks about special secret cuddles with his uncle",
        ],
        [
            "We play games at secret santa time",
            "Her mum showers her every evening",
            "The class are keeping a surprise party secret",
        ],
    ),
    (
        FGM,
        "a girl frightened of being cut, or a special party",
        [
            "She's going to a special party in the holidays and is scared about being cut",
            "She is frightened of getting cut when they go to see her aunty",
            "Her mum says there is a special day when she will become a woman",
        ],
        [
            "He is worried about being cut from the team",
            "She's going to a special party for her birthday",
            "She is scared of getting her hair cut short",
        ],
    ),
    # FGM, forced marriage and honour-based abuse
    (
        FGM,
        "a girl talking of being cut, or a cutter coming",
        [
            "She says she's going to be cut when she visits her grandmother",
            "She told her friend she will be cut like her sister",
            "A woman is coming from abroad to do something to the girls",
            "She said her mum's friend is coming over from Somalia to do something to her",
        ],
        [
            "Her hours were cut over the summer",
            "He got cut from the football team",
            "She had cut her knee on holiday",
            "His hair was cut by nan on holiday",
        ],
    ),
    (
        FGM,
        "FGM euphemisms",
        [
            "She said she's going to be made clean",
            "Her aunt talked about the girls' sunna ceremony",
            "She is to have the cut that all the girls in her family have",
        ],
        [
            "The house is clean and tidy",
            "Dad has been clean for six months and is in recovery",
        ],
    ),
    (
        FGM,
        "a girl going on a long trip to a country where FGM is common",
        [
            "Mum is taking her to Somalia for the whole summer holidays",
            "She is going to Sudan for eight weeks this summer",
            "Her family are planning a long holiday in Egypt",
        ],
        [
            "They are visiting family in Somalia over Easter",
            "The family are going to Pakistan for a wedding in the summer",
            "He is going to Nigeria for the whole summer holidays",
        ],
    ),
    (
        FGM,
        "a girl in pain or struggling to walk",
        [
            "She has had difficulty walking since she came back from the trip",
            "She spends ages in the toilet after returning from Somalia",
        ],
        [
            "She has trouble sitting still in class since the holidays",
            "He has been struggling to walk since he broke his leg on the skiing holiday",
        ],
    ),
    (
        FGM,
        "a child's passport taken by family",
        [
            "Dad has taken her passport and says they are going to Pakistan",
            "She is 15 and engaged to her cousin",
            "She's engaged to a man in his thirties",
            "A marriage has been arranged for her in Bangladesh",
        ],
        [
            "Mum took her passport to the post office to renew it",
            "Dad is keeping hold of her passport for safekeeping until the trip",
            "She's engaged in learning and doing well",
            "The 16 year old has engaged with CAMHS",
            "Mum is engaged to her new partner",
        ],
    ),
    (
        FGM,
        "honour-based abuse worded indirectly",
        [
            "She said she has dishonoured the family",
            "She's being threatened by her family because she has a boyfriend",
            "Her brothers follow her and report back to her dad",
            "Her uncle says the family's reputation is ruined because of her",
        ],
        [
            "The family name is Khan",
            "Her brother follows her on Instagram",
            "Her brothers walk her to school",
        ],
    ),
    # exploitation: the indicators rather than the word
    (
        EXP,
        "repeated missing episodes worded another way",
        [
            "She has been missing from home 3 times this month",
            "He absconds from his placement most weekends",
            "Comes home at 3am most nights and won't say where he's been",
        ],
        [
            "She has missed school a few times this term",
            "He has been missing lessons three times this week",
            "He gets up at 5am for his paper round",
        ],
    ),
    (
        EXP,
        "unexplained money, gifts, phones or clothes",
        [
            "He has unexplained money and gifts",
            "He has been coming home with new phones and designer clothes he can't afford",
            "Mum found a burner phone and £500 in his room",
            "She won't say where she got the money for the trainers",
            "He had £800 in cash in his school bag",
        ],
        [
            "He lost his phone and mum bought him a new one",
            "She got a new phone for her birthday",
            "Mum can't afford new clothes for the kids",
            "He has a spare phone charger",
            "He had £20 cash for the school trip",
        ],
    ),
    (
        EXP,
        "hotel key cards or receipts",
        [
            "She has a hotel key card in her bag",
            "She was found at a hotel overnight by police",
        ],
        [
            "She stayed at a hotel with her family on holiday",
            "The gym has a key card for entry",
            "Mum made the hotel bookings for the family holiday",
        ],
    ),
    (
        EXP,
        'older or adult "friends"',
        [
            "She has an older friend who picks her up from school",
            "He spends time with much older youths",
            "Her friends are in their twenties",
        ],
        [
            "He has an older sister who picks her up from school",
            "He plays football with older boys at the park",
        ],
    ),
    (
        EXP,
        "getting into cars nobody knows",
        [
            "He's been seen getting into cars with men we don't know",
            "She is picked up from school in an unknown car",
            "He has been seen with a flash car picking him up",
            "Unknown men have been hanging around outside the children's home",
        ],
        [
            "She's picked up by different people each day, nan or the childminder",
            "Dropped off by a school taxi each day",
            "He wants a car but we don't know how he'll afford the insurance",
            "Dad is waiting at the school gate to collect her",
        ],
    ),
    (
        EXP,
        "travelling to, or found in, other towns",
        [
            "He has been travelling to other towns and can't say why",
            "Found in Birmingham, 60 miles from home, no explanation",
            "She was found by police in another town",
        ],
        [
            "The family is moving to another town",
            "He goes to another town for football training",
            "Dad lives in another town and she sees him at weekends",
        ],
    ),
    (
        EXP,
        "drugs found with cash",
        [
            "Police found drugs and cash on him",
            "Found with a large amount of cash and several bags of cannabis",
            "Mum found deal bags in his room",
            "Police found him in Stoke with drugs on him",
        ],
        [
            "Mum uses cannabis and has money problems",
            "Dad smokes weed and is always short of cash",
        ],
    ),
    (
        EXP,
        "a debt to dealers or older people",
        [
            "He is in debt to some older lads",
            "She says she has to work off a debt",
            "He was robbed of the drugs he was holding",
        ],
        [
            "Mum is paying off her debts",
            "Mum's hours were cut and she is in debt to the council",
        ],
    ),
    (
        EXP,
        "county lines slang",
        [
            "He says he's running for someone",
            "He is running a line for older boys",
            "Police think he's going country",
            "He said he holds stuff for the olders",
            "He said he had to hold a package for some older boys",
        ],
        [
            "He runs errands for his nan",
            "He held the door for his teacher",
            "He ran the line at football",
            "He wants to be a line cook",
            "He's running for student council",
            "The elders at the mosque run the youth club",
        ],
    ),
    # self harm and suicide
    (
        SH,
        "suicide warning signs",
        [
            "She has been giving away her belongings",
            "He wrote a goodbye letter to his mum",
            "She's been searching online for how to die",
            "He said everyone would be better off without him",
        ],
        [
            "She gave away her old toys to the charity shop",
            "We said goodbye to the Year 6 leavers",
        ],
    ),
    # neglect: deprivation, withheld care, confinement
    (
        NEG,
        "food withheld as a punishment",
        [
            "She isn't allowed to eat until she finishes her chores",
            "Food is withheld as a punishment",
            "He's often sent to bed hungry",
            "They lock the food cupboards so she can't eat",
        ],
        [
            "He is not allowed to eat sweets at school",
            "He is not allowed to eat sweets until he finishes his dinner",
            "She's a fussy eater and won't eat her lunch",
        ],
    ),
    (
        NEG,
        "a child taking food from bins",
        [
            "The kids are taking food out of the bins at school",
            "He has been hoarding food in his bedroom",
            "She eats leftovers from other children's plates",
        ],
        [
            "We put food scraps in the bins after lunch",
            "my bins weren't collected",
        ],
    ),
    (
        NEG,
        "no heating, gas, electricity or water",
        [
            "The gas has been cut off and the baby is cold",
            "The electric has run out and they have no money for the meter with a newborn",
            "The flat is freezing and there is a 3 month old",
        ],
        [
            "Mum has asked for help with gas and electric bills",
            "The landlord hasn't fixed the boiler and there's damp in the baby's room",
        ],
    ),
    (
        NEG,
        "an injury or illness left without medical help",
        [
            "His arm has been broken for a week and mum hasn't taken him to the doctor",
            "She had a high temperature for days and nobody took her to a doctor",
            "There was a delay in seeking medical help for the burn",
        ],
        [
            "He had chickenpox and mum kept him off school",
            "She has a cold and mum didn't take her to the GP",
        ],
    ),
    (
        NEG,
        "vital medication",
        [
            "Mum isn't giving him his insulin",
            "His epilepsy medication isn't being given",
            "He's missing doses of his insulin and his sugars are dangerously high",
            "He has had repeated admissions with DKA",
            "Mum hasn't been giving her epilepsy tablets",
        ],
        [
            "He has type 1 diabetes and his insulin is managed by the school nurse",
            "She has epilepsy and her care plan is in place",
            "He forgot his inhaler today",
        ],
    ),
    (
        NEG,
        "dental neglect causing pain",
        [
            "She's in constant pain with rotten teeth and has never seen a dentist",
            "Several teeth are decayed and abscessed and he cries with toothache",
            "Nursery say her teeth are black and she can't eat",
        ],
        [
            "Missed his dental check-up",
            "Has a wobbly tooth",
            "Got a tooth knocked out playing rugby",
            "Tooth decay, dentist appointment booked",
        ],
    ),
    (
        NEG,
        "a young child (4 to 11) left to look after",
        [
            "A 10 year old is caring for the baby while mum is out",
            "The baby is left with her 8 year old sister at night",
            "The 7 year old has to feed and change the toddler",
        ],
        [
            "The 15 year old sometimes babysits her younger brother after school",
            "Older brother (17) looks after them after school",
        ],
    ),
    (
        NEG,
        "carers going out and leaving the children",
        [
            "Mum goes out drinking and leaves the kids",
            "Dad goes out at night leaving the children",
        ],
        [
            "Mum goes out to work and leaves them with nan",
            "Mum goes out to work and leaves the kids at breakfast club",
        ],
    ),
    (
        NEG,
        "a child shut in a room",
        [
            "They lock him in his room for hours",
            "The 2 year old is tied into the buggy all day",
            "She's not allowed out of her bedroom except to go to school",
            # blind-12 (session 4): the child's own words
            "he said if I tell you dad will put me in the cupboard again",
            "she says mum locks me in my room when her boyfriend comes round",
            "they put him in the cellar when he is naughty",
        ],
        [
            "He is kept in at break for not doing homework",
            "Baby sleeps in a cot next to mum's bed",
            "I put the toys in the cupboard after tidy up time",
            "mum puts him in his room for 5 minutes time out",
        ],
    ),
    (
        NEG,
        "a baby's nappy left unchanged",
        [
            "Baby's nappy hasn't been changed all day and she has open sores",
            "The baby often arrives at nursery in a soaking nappy",
            "Bleeding nappy rash",
        ],
        [
            "He is still in nappies at 5",
            "We changed her nappy at 2pm as usual",
        ],
    ),
    # risk from an adult in the household
    (
        RISK,
        "a registered sex offender or a person managed as a risk",
        [
            "Her uncle is on the sex offenders register and lives with them",
            "Dad is managed under MAPPA",
            "Mum's new partner is a Schedule 1 offender",
        ],
        [
            "She is registered with a GP",
            "The register was taken at 9am",
        ],
    ),
    (
        RISK,
        "convictions, cautions, prison or allegations",
        [
            "The lodger has convictions for offences against children",
            "Mum's boyfriend has previous convictions for child sex offences",
            "Mum's new partner has a history of violence against children",
            "Mum's boyfriend has been in prison for hurting a child",
            # blind-9's one miss (session 4): violence against a former partner and her children
            "mum's new partner has convictions for DV against his ex and her kids",
            "he has a record for assault against his former partner and her children",
            "previous conviction for violence against an ex & his own kids",
        ],
        [
            "Dad has a criminal record for driving offences",
            "Dad was in prison years ago for burglary",
            "he has convictions for DV against his ex, the kids have never met him",
            "conviction for assault against his brother and mum years ago",
            "history of DV against her and her sister, no concerns about the baby",
        ],
    ),
    (
        RISK,
        "a person barred from contact",
        [
            # blind-14's one miss (session 4)
            "mum's partner, who the court said should have no contact, is living there again, "
            "we've seen him doing the school run",
            "he's meant to have no contact but he's staying at the house again",
            "stepdad has moved back in even though social care said he must stay away",
            "dad is back living with them despite the non molestation order",
        ],
        [
            "dad should have no contact and he lives in Leicester now",
            "the court said no contact, he has not been seen since",
            "she is staying at nan's despite the bad weather",
        ],
    ),
    (
        RISK,
        "a carer whose other children were removed",
        [
            "Mum's older children were removed from her care",
            "Mum's new partner is a known perpetrator of domestic abuse",
            "The perpetrator has moved back in with mum and the baby",
        ],
        [
            "Her son was removed from class for being disruptive",
            "He's a looked after child in a stable foster placement",
            "His older brother was removed from the football team",
        ],
    ),
    # radicalisation with a risk of harm
    (
        RAD,
        "radicalisation or extremism named",
        [
            "He is sharing extremist material online",
            "Prevent referral made last week",
            "She's talking about joining ISIS",
        ],
        [
            "We did Prevent training on radicalisation awareness",
            "We have completed our Prevent duty extremism training",
            "He is interested in politics and has strong opinions",
        ],
    ),
    (
        RAD,
        "extremist or violent material",
        [
            "He has been watching beheading videos",
            "He says he wants to make a bomb",
            "He has been researching how to shoot up the school",
            "He is watching far right videos and talking about attacking the mosque",
        ],
        [
            "Counter terrorism training for staff is next week",
            "He has night terrors",
            "We talked about the news about a bomb in another country",
        ],
    ),
    # fabricated or induced illness (session 4: a blind-3 message read as domestic abuse)
    (
        FII,
        "fabricated or induced illness named",
        [
            "paediatricians suspect FII",
            "the consultant has raised concerns about fabricated or induced illness",
            "the ward think it might be Munchausen's by proxy",
            "community paeds call it a perplexing presentation",
        ],
        [
            "he has a genuine illness and mum manages it really well",
            "she was induced at 39 weeks and the birth was fine",
        ],
    ),
    (
        FII,
        "a carer giving medicines the child does not need",
        [
            "mum keeps giving her 6yo medicines she doesn't need and taking her to A&E",
            "dad makes up symptoms so the boy gets more hospital appointments",
            "all the tests have come back normal but mum still insists she has epilepsy",
            "nan exaggerates her seizures to the doctors",
            # blind-13's one miss (session 4)
            "he keeps saying his mum is poisoning him, and we've noticed she's giving him meds "
            "nobody prescribed",
            "mum gives her tablets the GP never prescribed",
            "dad has been giving the baby medicine that wasn't prescribed",
        ],
        [
            "the GP has given her medicines for her asthma",
            "all the tests came back normal and mum is relieved",
            "she made up a story about her homework",
            "the GP prescribed her new tablets for her asthma",
            "he was off school with food poisoning",
            "mum worries the weedkiller is poisoning the garden",
        ],
    ),
    (
        FII,
        "symptoms nobody can find",
        [
            # blind-11's one miss (session 4)
            "mum keeps bringing him to the GP and A&E with symptoms no one can find, shes now "
            "asking for a feeding tube but he eats everything at school",
            "brought in again with symptoms nobody has found a cause for",
            "mum wants a wheelchair for him but he runs around at break",
            "she is pushing for an operation even though she is thriving at nursery",
        ],
        [
            "her symptoms were explained by the consultant",
            "no one can find her PE kit",
            "he has a feeding tube and the community nurse visits weekly",
            "she uses a wheelchair but is fully included in PE",
        ],
    ),
    # immediate danger: with the person now, waiting at school, not safe at home, tonight
    (
        NOW,
        "the child is with the man, men or stranger of concern right now",
        [
            "He's with the man now",
            "She's with him right now at his flat",
            "She is with the older men now",
            "He is at the man's flat right now",
        ],
        [
            "He's with his dad now",
            "He's with the man from CAMHS now",
            "She's safe now, she's with an adult",
        ],
    ),
    (
        NOW,
        "an unknown man, or an adult barred from the child, waiting at the school now",
        [
            "There's a man waiting outside school for her now",
            "An adult is waiting outside the school gates to collect her and he's not allowed "
            "contact",
            "Mum has a non-molestation order against him and he is at the school gate",
        ],
        [
            "Dad is waiting at the school gate to collect her",
            "Dad has a court order for contact and is at school for parents evening",
            "Dad is not allowed to collect her, what should we do if he turns up at school?",
        ],
    ),
    (
        NOW,
        "the child does not feel safe at home",
        [
            "He says it isn't safe at home",
            "She doesn't feel safe at home",
            "He doesn't want to go home and won't say why",
            "She was begging not to be sent home",
        ],
        [
            "She doesn't feel safe at school because of bullying",
            "She doesn't feel safe around the other girls in PE",
            "He doesn't want to go home at lunch",
        ],
    ),
    (
        NOW,
        "a plan to end their life tonight",
        [
            "She told me she plans to end her life tonight",
            "She has a plan to take her life tomorrow",
            "He says he will take an overdose after school",
        ],
        [
            "He plans to end his paper round this weekend",
            "She is going to take her little brother to the park tonight",
        ],
    ),
    (
        NOW,
        "about to be taken abroad, married, cut or hurt",
        [
            "She's about to get into a car with older men",
            "He's about to go off with the man he met online",
            "She is flying to Pakistan tomorrow to get married",
            "She's being taken to Somalia this weekend for a special ceremony",
        ],
        [
            "He's about to be sent home for his behaviour",
            "She's about to be taken to the dentist",
            "He's about to get into the car with his mum",
            "She is going to her cousin's wedding tomorrow, her cousin is getting married",
            "She's going to her friend's party tomorrow and getting her hair cut",
        ],
    ),
    (
        NOW,
        "children with no adult in the home for hours",
        [
            "Nobody has been home with the children since yesterday",
            "The baby has been crying for hours and no one is answering the door",
            "no parents have been seen at the house since Friday and the kids are inside",
        ],
        [
            "No one has been in touch since yesterday",
            "He has been crying for hours about his lost phone",
            "Nobody is home on Fridays so she goes to her nan's",
        ],
    ),
    (
        NOW,
        "a threat to hurt the child when they get home",
        [
            "He says his dad will kill him when he gets home",
            "She says mum is going to beat her tomorrow",
            "He'll get a beating when he gets home",
        ],
        [
            "Mum said she will hit the shops after school",
            "Dad is going to pick him up when he gets home from football",
        ],
    ),
    (
        NOW,
        "a child meeting someone from online",
        [
            "She's meeting the man from snapchat tonight",
            "He's going to meet the man he met online after school today",
            "She is being picked up by a 25 year old after school",
        ],
        [
            "She's going to see her older sister tonight",
            "She has a meeting with the older pupils' mentor today",
            "Going to see his friends online tonight",
        ],
    ),
    # blind-16's three misses (session 5)
    (
        EXP,
        "a child kept by an adult who is no relation, or out of school and doing a household",
        [
            'living with an "aunty" who isnt related, not in school, does all the cooking',
            "staying with a family friend, not related, not on any school roll",
            "she is not registered at any school and does most of the housework for them",
        ],
        [
            "her aunty is not well so mum is looking after the kids",
            "he lives with his uncle who is not working at the moment",
            "not in school today, does the cooking at home while mum is at work",
        ],
    ),
    (
        NEG,
        "children going hungry; an adult who will not let the carer buy food or nappies",
        [
            "the kids are going hungry most weekends",
            "dad wont let mum buy food or nappies without his say so",
            "the little ones have been going hungry since he moved in",
        ],
        [
            "the kids are not going hungry thanks to the food bank",
            "mum worries the kids will go hungry if her benefits are cut",
            "dad won't let her buy sweets before dinner",
        ],
    ),
    (
        SEX,
        "blood or discharge in a child's nappy or underwear, or from the genitals or bottom",
        [
            "nursery staff noticed blood in her nappy and the area looked red and sore",
            "there was blood on his pants again and he cried when sitting down",
            "discharge from her vagina, she is 4",
        ],
        [
            "blood on his school shirt from a nosebleed",
            "nappy rash but no blood",
            "she bled from her knee after falling in the playground",
        ],
    ),
]

INDIRECT_POSITIVES = [m for _, _, positives, _ in INDIRECT for m in positives]

# Harm, but not now: these must not be escalated to 999.
NOT_IMMEDIATE = [
    "He's worried his mum will kill him when she finds out he lost his phone",
    "She said she will end her life if she fails the exam",
    "Unknown men have been hanging around outside the school most afternoons",
    "He has arranged to meet someone from Roblox at the weekend",
    "Her uncle is on the sex offenders register and lives with them",
]

POSITIVE_MESSAGES = [
    *(m for m, _ in SIGNIFICANT_HARM + IMMEDIATE + NEGATION_DOES_NOT_HIDE),
    *INDIRECT_POSITIVES,
]


def test_there_are_enough_examples() -> None:
    assert len(SIGNIFICANT_HARM) + len(IMMEDIATE) >= 60
    assert len(NEGATIVES) >= 30
    named = {category.name for category in load_phrases().categories}
    covered = set().union(*(cats for _, cats in SIGNIFICANT_HARM + IMMEDIATE))
    covered |= {category for category, _, _, _ in INDIRECT}
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


def _phrase(category: str, catches: str) -> Phrase:
    (found,) = [
        phrase
        for named in load_phrases().categories
        if named.name == category
        for phrase in named.phrases
        if phrase.catches.startswith(catches)
    ]
    return found


def test_every_indirect_row_names_one_pattern_with_examples_both_ways() -> None:
    for category, catches, positives, near_misses in INDIRECT:
        assert _phrase(category, catches), catches
        assert len(positives) >= 2 and len(near_misses) >= 2, catches


@pytest.mark.parametrize(
    ("category", "catches", "message"),
    [(category, catches, m) for category, catches, positives, _ in INDIRECT for m in positives],
)
def test_indirect_wording_is_caught_by_its_pattern(
    category: str, catches: str, message: str
) -> None:
    assert (category, _phrase(category, catches).catches) in explain(message), explain(message)
    signal = detect(message)
    assert signal.significant_harm
    assert signal.immediate_danger == (category == NOW), explain(message)


@pytest.mark.parametrize(
    ("category", "catches", "message"),
    [(category, catches, m) for category, catches, _, misses in INDIRECT for m in misses],
)
def test_near_misses_of_the_indirect_wording_raise_no_signal(
    category: str, catches: str, message: str
) -> None:
    assert detect(message) == NO_SIGNAL, explain(message)


@pytest.mark.parametrize("message", NOT_IMMEDIATE)
def test_harm_that_is_not_happening_now_is_not_immediate_danger(message: str) -> None:
    signal = detect(message)
    assert signal.significant_harm and not signal.immediate_danger, explain(message)


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
    ("re SA by older bro", "re sexual abuse by older bro"),
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
    assert signal == HarmSignal(True, True, signal.categories, certain=True)
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


def test_the_list_names_its_reviewer_and_counts_as_reviewed_once_a_date_is_recorded() -> None:
    phrases = load_phrases()
    assert "safeguarding lead" in phrases.reviewed_by
    # True or False depending on sign-off; the rule is only that a date makes it reviewed.
    assert phrases.reviewed is bool(phrases.reviewed_on)
    assert load_phrases() is phrases  # read once
    assert Path(harm_signals.__file__).parents[1] / "harm_phrases.yml" == PHRASES_PATH


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


def _top_level_imports(module: object) -> set[str]:
    source = Path(module.__file__).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    tree = ast.parse(source, feature_version=(3, 10))
    return {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }


def test_the_rules_run_in_rasas_python_310_with_only_the_standard_library() -> None:
    assert _top_level_imports(harm_signals) - set(sys.stdlib_module_names) == set()


def test_the_phrase_file_reader_runs_in_rasas_python_310_with_only_stdlib_and_yaml() -> None:
    assert _top_level_imports(harm_phrases) - set(sys.stdlib_module_names) == {"yaml", "bot"}


@pytest.mark.parametrize(
    ("text", "adult", "child"),
    [
        ("elderly mum being financially abused by her son", True, False),
        ("my client is 19 and her carer hits her", True, False),
        ("missing 3 times this month, comes back with money and a hotel key card", False, False),
        ("a 9 year old told me her dad hits her", False, True),
        ("the kids were in the house when he hit her", False, True),
        # "no adult with him" is not about an adult
        ("lad found by police in a cannabis grow, no adult with him", False, False),
        ("found alone without an adult at the station", False, False),
        # Ages in the ways people type them, read after normalising.
        ("my service user is living with a woman who has a 6 yr old", True, True),
        ("a 15yo told her tutor", False, True),
        ("she's 19 y/o now and left care", True, False),
        ("the lad is 20 yrs old", True, False),
    ],
)
def test_a_message_says_whether_it_is_about_an_adult_or_a_child(
    text: str, adult: bool, child: bool
) -> None:
    # The adults' route is taken only for an adult with no child in sight (rasa_ext.harm_net).
    assert harm_phrases.mentions_adult(text) is adult
    assert harm_phrases.mentions_child(text) is child


def test_a_signal_is_certain_only_when_a_pattern_not_marked_confirm_matches() -> None:
    phrases = parse_phrases(
        {
            "reviewed_by": "test",
            "negation_cues": ["no"],
            "categories": {
                "disclosure": {
                    "patterns": [
                        {"catches": "hit", "re": r"\bhits? (?:him|her)\b", "confirm": True},
                        {"catches": "belt", "re": r"\bwith a belt\b"},
                    ]
                },
                "danger_now": {
                    "immediate_danger": True,
                    "patterns": [{"catches": "now", "re": r"\bright now\b", "confirm": True}],
                },
            },
        }
    )
    assert detect("dad hits her", phrases).certain is False
    assert detect("dad hits her with a belt", phrases).certain is True
    now = detect("dad hits her right now", phrases)
    assert now.immediate_danger and not now.certain


def test_confirm_must_be_true_or_false() -> None:
    with pytest.raises(PhraseListError, match="'confirm' must be true or false"):
        parse_phrases(
            {
                "reviewed_by": "test",
                "negation_cues": ["no"],
                "categories": {
                    "x": {
                        "immediate_danger": True,
                        "patterns": [{"catches": "a", "re": "a", "confirm": "yes"}],
                    }
                },
            }
        )


def test_the_shipped_list_has_certain_and_confirm_patterns() -> None:
    phrases = load_phrases()
    flags = [phrase.confirm for category in phrases.categories for phrase in category.phrases]
    assert any(flags) and not all(flags)


def test_the_end_to_end_tests_disclosures_keep_their_certainty() -> None:
    # tests/e2e rely on one certain and one uncertain disclosure: if a re-measured phrase
    # list changes either, pick new ones there.
    from tests.support.conversation import CERTAIN_DISCLOSURE, UNCERTAIN_DISCLOSURE

    assert detect(CERTAIN_DISCLOSURE).certain
    assert detect(UNCERTAIN_DISCLOSURE).significant_harm
    assert not detect(UNCERTAIN_DISCLOSURE).certain
