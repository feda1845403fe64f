"""Write the bundled multiple-choice samples in each release's exact file layout.

HellaSwag (``hellaswag/hellaswag_{train,val}.jsonl``), CosmosQA (``cosmosqa/{train,valid}.csv``),
CommonsenseQA (``commonsenseqa/{train,dev}_rand_split.jsonl``) and SocialIQA
(``socialiqa/socialiqa-train-dev/{train,dev}.jsonl`` + ``-labels.lst``). The items are
hand-written here; a seeded generator only picks distractors, answer positions and ids,
so the output is byte-for-byte reproducible. Dev items never share a context with train.
Run from the repository root (or pass another output folder):

    python scripts/make_mc_samples.py [OUT]
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import re
import string
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"

# --------------------------------------------------------------------------- HellaSwag
# ActivityNet-style items: (activity label, [(what the person does, the true next action)]).
# Each scene is "<Person> <does>." + ctx_b "<pronoun>" + ending, as in the release.
ACTIVITIES = [
    (
        "Washing dishes",
        [
            (
                "is standing at a kitchen sink full of dirty plates.",
                "turns on the tap and rubs soap onto a sponge.",
            ),
            (
                "rinses a stack of bowls under running water.",
                "sets each bowl upside down on a drying rack.",
            ),
            (
                "fills the sink with hot water and bubbles.",
                "scrubs a greasy frying pan with a brush.",
            ),
        ],
    ),
    (
        "Changing car wheels",
        [
            (
                "kneels next to a car with a flat tire on the side of the road.",
                "loosens the lug nuts with a wrench.",
            ),
            ("jacks up the back of a small car.", "pulls the flat tire off and rolls it aside."),
            (
                "lifts a spare tire out of the trunk.",
                "lines the spare up with the bolts and pushes it on.",
            ),
        ],
    ),
    (
        "Playing violin",
        [
            (
                "sits on a chair in a living room holding a violin.",
                "raises the bow and begins to play a slow melody.",
            ),
            (
                "tightens the strings of a violin while sitting on a bed.",
                "tucks the violin under the chin and plays a few notes.",
            ),
            (
                "stands on a stage in front of an orchestra with a violin.",
                "plays a fast solo as the audience watches.",
            ),
        ],
    ),
    (
        "Making a sandwich",
        [
            (
                "lays two slices of bread on a cutting board.",
                "spreads mayonnaise on the bread with a knife.",
            ),
            (
                "takes ham and cheese out of the fridge.",
                "stacks the ham and cheese on a slice of bread.",
            ),
            (
                "places lettuce and tomato on a slice of bread.",
                "puts the second slice on top and cuts the sandwich in half.",
            ),
        ],
    ),
    (
        "Shoveling snow",
        [
            (
                "walks out onto a driveway covered in deep snow.",
                "pushes a shovel into the snow and throws it to the side.",
            ),
            (
                "clears a path to the front door with a shovel.",
                "scatters salt on the steps so nobody slips.",
            ),
            (
                "scrapes snow off the sidewalk in front of a house.",
                "stops to rest and leans on the shovel.",
            ),
        ],
    ),
    (
        "Brushing teeth",
        [
            ("stands in front of a bathroom mirror.", "squeezes toothpaste onto a toothbrush."),
            (
                "brushes the front teeth in small circles.",
                "spits into the sink and rinses with water.",
            ),
            (
                "holds a toothbrush under the tap.",
                "brushes the back teeth carefully for two minutes.",
            ),
        ],
    ),
    (
        "Skateboarding",
        [
            (
                "rides a skateboard across an empty parking lot.",
                "kicks the board up and lands a small jump.",
            ),
            (
                "stands at the top of a ramp at a skate park.",
                "drops in and rolls up the opposite side.",
            ),
            (
                "falls off a skateboard onto the pavement.",
                "gets back up and steps onto the board again.",
            ),
        ],
    ),
    (
        "Mowing the lawn",
        [
            (
                "pulls the cord on a lawn mower in a front yard.",
                "pushes the mower in straight lines across the grass.",
            ),
            (
                "empties a bag of cut grass into a bin.",
                "reattaches the bag and keeps mowing the yard.",
            ),
            (
                "mows around a tree in the backyard.",
                "turns the mower off and rakes up the clippings.",
            ),
        ],
    ),
    (
        "Painting fence",
        [
            (
                "dips a brush into a can of white paint.",
                "paints the boards of the fence with long strokes.",
            ),
            (
                "stands beside a wooden fence holding a roller.",
                "rolls red paint evenly over the boards.",
            ),
            (
                "covers the grass under a fence with an old sheet.",
                "opens the can of paint and stirs it with a stick.",
            ),
        ],
    ),
    (
        "Kayaking",
        [
            (
                "paddles a kayak along a calm river.",
                "steers around a rock in the middle of the water.",
            ),
            (
                "carries a kayak down to the edge of a lake.",
                "climbs into the kayak and pushes off from the shore.",
            ),
            (
                "rows through small rapids in a yellow kayak.",
                "leans forward and paddles hard to keep the boat straight.",
            ),
        ],
    ),
    (
        "Baking cookies",
        [
            (
                "cracks two eggs into a bowl of flour and sugar.",
                "stirs the mixture until the dough is smooth.",
            ),
            ("rolls cookie dough into small balls.", "places the balls in rows on a baking tray."),
            (
                "opens the oven and pulls out a tray of cookies.",
                "sets the tray on the counter to cool.",
            ),
        ],
    ),
    (
        "Hopscotch",
        [
            (
                "draws squares on the sidewalk with chalk.",
                "throws a small stone into the first square.",
            ),
            (
                "hops on one foot across chalk squares.",
                "bends down to pick up the stone without falling.",
            ),
            (
                "waits at the start of a hopscotch course.",
                "jumps through the squares and turns around at the end.",
            ),
        ],
    ),
    (
        "Ironing clothes",
        [
            (
                "lays a wrinkled shirt across an ironing board.",
                "presses the hot iron slowly over the sleeves.",
            ),
            (
                "fills an iron with water from a cup.",
                "waits for the iron to heat up and start steaming.",
            ),
            (
                "irons a pair of trousers in a bedroom.",
                "folds the trousers and hangs them in the closet.",
            ),
        ],
    ),
    (
        "Walking the dog",
        [
            (
                "clips a leash onto a small brown dog.",
                "opens the front door and leads the dog outside.",
            ),
            ("walks a large dog along a quiet street.", "stops while the dog sniffs a lamp post."),
            ("throws a ball for a dog in the park.", "waits as the dog runs back with the ball."),
        ],
    ),
    (
        "Shooting basketball",
        [
            (
                "dribbles a basketball on an outdoor court.",
                "jumps and shoots the ball toward the hoop.",
            ),
            (
                "stands at the free throw line holding a ball.",
                "bounces the ball twice and then takes the shot.",
            ),
            ("passes a basketball to a teammate.", "runs toward the basket to get the rebound."),
        ],
    ),
    (
        "Doing makeup",
        [
            (
                "sits at a mirror with a makeup bag.",
                "dabs foundation onto the cheeks with a sponge.",
            ),
            ("opens a small tube of mascara.", "brushes mascara carefully onto the eyelashes."),
            (
                "holds up a lipstick in front of a mirror.",
                "applies the lipstick and presses the lips together.",
            ),
        ],
    ),
    (
        "Chopping wood",
        [
            (
                "sets a log upright on a tree stump.",
                "swings an axe down and splits the log in two.",
            ),
            (
                "carries an armful of split wood.",
                "stacks the wood neatly against the side of the shed.",
            ),
            ("sharpens an axe with a file.", "tests the edge and picks up the next log."),
        ],
    ),
    (
        "Surfing",
        [
            (
                "paddles a surfboard out past the breaking waves.",
                "turns the board around and waits for a wave.",
            ),
            (
                "rides a big wave toward the beach.",
                "crouches low on the board and glides along the wave.",
            ),
            (
                "waxes a surfboard on the sand.",
                "carries the board into the water and starts paddling.",
            ),
        ],
    ),
    (
        "Wrapping presents",
        [
            (
                "places a box on a sheet of colorful paper.",
                "folds the paper around the box and tapes it.",
            ),
            ("cuts a long piece of ribbon.", "ties the ribbon around the present in a bow."),
            (
                "measures wrapping paper against a gift.",
                "cuts the paper along the edge with scissors.",
            ),
        ],
    ),
    (
        "Cleaning windows",
        [
            (
                "sprays glass cleaner on a dirty window.",
                "wipes the glass with a cloth until it shines.",
            ),
            (
                "climbs a short ladder next to a window.",
                "runs a squeegee down the glass from top to bottom.",
            ),
            ("dips a sponge in a bucket of soapy water.", "scrubs the window frame and rinses it."),
        ],
    ),
    (
        "Fishing",
        [
            ("sits on a dock holding a fishing rod.", "casts the line out into the lake."),
            (
                "feels a tug on the fishing line.",
                "reels in quickly and lifts a fish out of the water.",
            ),
            ("puts a worm on a hook.", "drops the line into the water and waits."),
        ],
    ),
    (
        "Planting flowers",
        [
            ("kneels in a garden with a small shovel.", "digs a hole in the soil for the flower."),
            (
                "takes a flower out of a plastic pot.",
                "sets it in the hole and presses soil around the roots.",
            ),
            ("finishes planting a row of tulips.", "waters the flowers with a watering can."),
        ],
    ),
    (
        "Doing push ups",
        [
            ("lies face down on a mat in a gym.", "pushes up with both arms and lowers back down."),
            (
                "counts out loud while doing push ups.",
                "finishes the set and stands up breathing hard.",
            ),
            (
                "places both hands on the floor under the shoulders.",
                "keeps the back straight and begins a push up.",
            ),
        ],
    ),
    (
        "Braiding hair",
        [
            (
                "brushes out a little girl's long hair.",
                "splits the hair into three equal sections.",
            ),
            (
                "crosses the sections of hair over each other.",
                "pulls the braid tight and keeps weaving down.",
            ),
            ("reaches the end of a long braid.", "wraps a hair band around the end to hold it."),
        ],
    ),
    (
        "Riding a horse",
        [
            (
                "puts one foot into the stirrup of a saddle.",
                "swings onto the horse and takes the reins.",
            ),
            (
                "trots a brown horse around a fenced ring.",
                "pulls the reins gently and the horse slows to a walk.",
            ),
            ("brushes the mane of a horse in a stable.", "places a saddle on the horse's back."),
        ],
    ),
    (
        "Building sandcastles",
        [
            (
                "fills a bucket with wet sand on the beach.",
                "flips the bucket over and lifts it to form a tower.",
            ),
            ("digs a moat around a sandcastle.", "pours seawater into the moat from a bucket."),
            ("pats down the walls of a sandcastle.", "pushes a small flag into the top tower."),
        ],
    ),
    (
        "Playing drums",
        [
            (
                "sits behind a drum set holding two sticks.",
                "taps the cymbal and starts a steady beat.",
            ),
            ("adjusts the height of a snare drum.", "plays a quick roll on the snare."),
            (
                "plays drums along with a song on headphones.",
                "hits the crash cymbal at the end of the song.",
            ),
        ],
    ),
    (
        "Vacuuming floor",
        [
            (
                "plugs a vacuum cleaner into the wall.",
                "pushes the vacuum back and forth over the carpet.",
            ),
            (
                "moves a chair out of the way in a living room.",
                "vacuums up the dust that was under the chair.",
            ),
            (
                "empties the dust container of a vacuum.",
                "snaps the container back and switches it on again.",
            ),
        ],
    ),
    (
        "Rock climbing",
        [
            (
                "clips a rope into a harness at the bottom of a climbing wall.",
                "grabs the first hold and pulls up onto the wall.",
            ),
            ("reaches for a hold high above.", "pushes up with the legs and grips the next hold."),
            (
                "reaches the top of the climbing wall.",
                "lets go and is lowered slowly to the ground.",
            ),
        ],
    ),
    (
        "Raking leaves",
        [
            ("rakes fallen leaves in a backyard.", "gathers the leaves into one large pile."),
            (
                "holds open a paper bag next to a pile of leaves.",
                "scoops the leaves into the bag with both hands.",
            ),
            ("jumps into a big pile of leaves.", "throws handfuls of leaves up into the air."),
        ],
    ),
]
# activities only in the validation file (the release's "zeroshot" split_type)
ZEROSHOT_ACTIVITIES = [
    (
        "Bathing dog",
        [
            ("lifts a wet dog into a bathtub.", "rubs shampoo into the dog's fur."),
            ("rinses the soap off a dog with a hose.", "wraps the dog in a big towel."),
        ],
    ),
    (
        "Making coffee",
        [
            (
                "pours ground coffee into a paper filter.",
                "fills the machine with water and presses the button.",
            ),
            ("pours hot coffee into a mug.", "adds a splash of milk and stirs it with a spoon."),
        ],
    ),
    (
        "Washing car",
        [
            ("sprays a dusty car with a garden hose.", "scrubs the doors with a soapy sponge."),
            ("rinses the soap off a shiny red car.", "dries the car with a soft towel."),
        ],
    ),
]
PERSONS = [
    ("A man", "he"),
    ("A woman", "she"),
    ("A young boy", "the boy"),
    ("A girl", "she"),
    ("An older man", "the man"),
    ("A teenage girl", "the girl"),
    ("A woman in a blue jacket", "the woman"),
    ("A man with a beard", "he"),
]
# WikiHow-style items: (category, title, [(step title, step detail)]); no ctx_b in the release.
HOWTOS = [
    (
        "Food and Entertaining",
        "make iced tea",
        [
            ("Boil four cups of water.", "Use a kettle or a pot on the stove."),
            ("Steep the tea bags.", "Drop six tea bags into the hot water and wait five minutes."),
            ("Sweeten the tea while it is warm.", "Stir in sugar or honey until it dissolves."),
            ("Chill the tea.", "Pour it into a pitcher with ice and put it in the fridge."),
        ],
    ),
    (
        "Home and Garden",
        "clean a microwave",
        [
            (
                "Heat a bowl of water and lemon juice.",
                "Run the microwave for three minutes so the steam loosens the dirt.",
            ),
            (
                "Leave the door closed for a few minutes.",
                "The steam will keep softening any dried food.",
            ),
            ("Wipe the inside with a damp cloth.", "Start at the top and work your way down."),
            ("Wash the turntable in the sink.", "Dry it well before you put it back."),
        ],
    ),
    (
        "Sports and Fitness",
        "start running",
        [
            (
                "Buy a pair of comfortable running shoes.",
                "Try them on in the afternoon, when your feet are slightly larger.",
            ),
            ("Warm up before every run.", "Walk briskly for five minutes to loosen your muscles."),
            (
                "Alternate running and walking.",
                "Run for one minute, then walk for two, and repeat.",
            ),
            (
                "Increase your distance slowly.",
                "Add no more than ten percent each week to avoid injury.",
            ),
        ],
    ),
    (
        "Finance and Business",
        "save money on groceries",
        [
            (
                "Make a shopping list at home.",
                "Check what you already have in the fridge and cupboards.",
            ),
            (
                "Never shop when you are hungry.",
                "Eat a snack first so you are not tempted by extra food.",
            ),
            ("Compare prices per kilogram.", "The larger package is not always the cheaper one."),
            ("Buy fruit and vegetables in season.", "They are usually fresher and cost less."),
        ],
    ),
    (
        "Home and Garden",
        "care for a houseplant",
        [
            (
                "Choose a spot with the right light.",
                "Most houseplants like bright light but not direct afternoon sun.",
            ),
            (
                "Water only when the soil is dry.",
                "Push a finger into the soil to check before watering.",
            ),
            (
                "Feed the plant in spring and summer.",
                "Add liquid fertilizer to the water once a month.",
            ),
            (
                "Repot the plant when the roots fill the pot.",
                "Move it to a pot one size larger with fresh soil.",
            ),
        ],
    ),
    (
        "Relationships",
        "write a thank you note",
        [
            ("Choose a simple card.", "Plain paper works well if you have no card."),
            ("Greet the person by name.", 'Write "Dear" followed by their first name.'),
            (
                "Mention the gift or favor.",
                "Say exactly what you are thankful for and how you will use it.",
            ),
            (
                "Close warmly and sign your name.",
                'End with a phrase such as "With love" or "Best wishes."',
            ),
        ],
    ),
]


def _video_id(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(11))


def hellaswag(rng: random.Random) -> dict[str, list[dict]]:
    """Records in the key order of the released files; distractors are other items' endings."""
    golds = [g for _, scenes in ACTIVITIES + ZEROSHOT_ACTIVITIES for _, g in scenes]
    steps = [f"[title] {t} [step] {d}" for _, _, s in HOWTOS for t, d in s[1:]]
    out: dict[str, list[dict]] = {"train": [], "val": []}
    ind = 0

    def add(split, label, ctx_a, ctx_b, gold, pool, split_type, source_id):
        nonlocal ind
        ind += rng.randint(1, 40)
        endings = rng.sample([e for e in pool if e != gold], 3)
        answer = rng.randrange(4)
        endings.insert(answer, gold)
        out[split].append(
            {
                "ind": ind,
                "activity_label": label,
                "ctx_a": ctx_a,
                "ctx_b": ctx_b,
                "ctx": f"{ctx_a} {ctx_b}" if ctx_b else ctx_a,
                "split": split,
                "split_type": split_type,
                "label": answer,
                "endings": endings,
                "source_id": source_id,
            }
        )

    for a, (label, scenes) in enumerate(ACTIVITIES):
        pool = [g for g in golds if g not in {g for _, g in scenes}]  # never the same activity
        for s, (does, gold) in enumerate(scenes):
            source = f"activitynet~v_{_video_id(rng)}"
            if s == 2:  # the third scene of the first 18 activities is validation only
                if a < 18:
                    who, pronoun = rng.choice(PERSONS)
                    add("val", label, f"{who} {does}", pronoun, gold, pool, "indomain", source)
                continue
            for who, pronoun in rng.sample(PERSONS, 2):
                add("train", label, f"{who} {does}", pronoun, gold, pool, "indomain", source)
    for label, scenes in ZEROSHOT_ACTIVITIES:
        pool = [g for g in golds if g not in {g for _, g in scenes}]
        for does, gold in scenes:
            who, pronoun = rng.choice(PERSONS)
            source = f"activitynet~v_{_video_id(rng)}"
            add("val", label, f"{who} {does}", pronoun, gold, pool, "zeroshot", source)
    for h, (category, title, howto) in enumerate(HOWTOS):
        source = f"wikihow~{rng.randint(10000, 99999)}"
        for k in range(3):
            (t, d), (nt, nd) = howto[k], howto[k + 1]
            ctx = f"[header] How to {title} [title] {t} [step] {d}"
            gold = f"[title] {nt} [step] {nd}"
            split, kind = ("val", "zeroshot") if h == len(HOWTOS) - 1 else ("train", "indomain")
            add(split, category, ctx, "", gold, steps, kind, source)
    return out


# --------------------------------------------------------------------------- CosmosQA
# (blog-style passage, [(question, correct answer, [three wrong answers])] x 2)
COSMOS = [
    (
        "My car broke down on the highway this morning, so I had to call a tow truck. I waited almost two hours in the cold before it finally arrived. By the time I got to the office, my first meeting was already over.",
        [
            (
                "Why did I miss the meeting?",
                "My car broke down and the tow truck took a long time.",
                [
                    "I overslept and forgot to set an alarm.",
                    "The meeting was moved to another day.",
                    "I decided to skip it and get coffee.",
                ],
            ),
            (
                "How did I probably feel while waiting on the highway?",
                "Cold and frustrated.",
                [
                    "Relaxed and well rested.",
                    "Excited about the meeting.",
                    "Happy to have a day off.",
                ],
            ),
        ],
    ),
    (
        "We finally adopted a kitten from the shelter last weekend. She spent the first two days hiding under the couch and would only come out at night to eat. Tonight she climbed onto my lap and fell asleep purring.",
        [
            (
                "Why did the kitten hide under the couch at first?",
                "She was scared of her new home.",
                [
                    "She was looking for a toy she lost.",
                    "She didn't like the food we gave her.",
                    "The couch was the warmest place in the house.",
                ],
            ),
            (
                "What may happen in the next few weeks?",
                "The kitten will feel more comfortable and play around the house.",
                [
                    "We will return the kitten to the shelter.",
                    "The kitten will keep hiding forever.",
                    "We will adopt ten more cats.",
                ],
            ),
        ],
    ),
    (
        "I signed up for my first half marathon in the spring. I have been running every morning before work, even when it rains. Yesterday I ran eleven miles without stopping for the first time.",
        [
            (
                "Why has the writer been running every morning?",
                "To train for the half marathon.",
                [
                    "Because their car is broken.",
                    "Because a doctor told them to stop running.",
                    "To get to work faster.",
                ],
            ),
            (
                "How does the writer probably feel after yesterday's run?",
                "Proud and more confident about the race.",
                [
                    "Disappointed that they ran so little.",
                    "Worried that they will never finish a mile.",
                    "Bored of running and ready to quit.",
                ],
            ),
        ],
    ),
    (
        "My grandmother turned ninety today. The whole family drove in from three different states to surprise her at the restaurant. When she walked in and saw everyone, she started crying and laughing at the same time.",
        [
            (
                "Why did the grandmother start crying?",
                "She was moved to see her whole family together.",
                [
                    "She was upset that the restaurant was crowded.",
                    "She didn't like surprises at all.",
                    "She had hurt her foot on the way in.",
                ],
            ),
            (
                "What did the family probably have to do before the party?",
                "Plan the trip and keep it a secret from her.",
                [
                    "Ask the grandmother to organize the party.",
                    "Cancel the restaurant reservation.",
                    "Move to the same state as the grandmother.",
                ],
            ),
        ],
    ),
    (
        "The power went out during the storm last night, right as I was cooking dinner. We ended up eating cold sandwiches by candlelight and playing cards until midnight. Honestly, it was the most fun we have had as a family in months.",
        [
            (
                "Why did they eat cold sandwiches?",
                "The power outage stopped them from cooking.",
                [
                    "They didn't like hot food.",
                    "The restaurant was closed for the holiday.",
                    "They wanted to save money on groceries.",
                ],
            ),
            (
                "How does the writer feel about the evening?",
                "They enjoyed the time together despite the storm.",
                [
                    "They were angry the whole night.",
                    "They regret not going to a hotel.",
                    "They were scared of the candles.",
                ],
            ),
        ],
    ),
    (
        "I finally finished painting the spare bedroom today. It took three coats to cover the old dark green walls. Now the room is a soft yellow and it feels twice as big.",
        [
            (
                "Why did it take three coats of paint?",
                "The old walls were a dark color that was hard to cover.",
                [
                    "The writer kept changing their mind about the color.",
                    "The paint was too thick to spread.",
                    "The room was very small.",
                ],
            ),
            (
                "What might the writer do next?",
                "Move the furniture back into the room.",
                [
                    "Paint the room dark green again.",
                    "Sell the house right away.",
                    "Buy more green paint.",
                ],
            ),
        ],
    ),
    (
        "My laptop died the night before my thesis was due. Luckily I had saved a copy to the cloud that afternoon. I spent the whole night at the library finishing the last chapter on a public computer.",
        [
            (
                "Why was the writer able to finish the thesis?",
                "They had saved a copy of it online.",
                [
                    "The laptop started working again by itself.",
                    "Their professor gave them an extra month.",
                    "A friend wrote the last chapter for them.",
                ],
            ),
            (
                "What will the writer probably do in the future?",
                "Keep backing up their work regularly.",
                [
                    "Stop using computers altogether.",
                    "Never go to the library again.",
                    "Write their papers only by hand.",
                ],
            ),
        ],
    ),
    (
        "Our neighbor's dog barked for hours every night this week. I finally went over to talk to them and found out they had been away on a trip. The dog had been left alone, with a friend checking in only once a day.",
        [
            (
                "Why was the dog barking so much?",
                "It was lonely because its owners were away.",
                [
                    "It wanted to go for a swim.",
                    "It was barking at the writer's cat.",
                    "It was trained to bark at night.",
                ],
            ),
            (
                "How did the writer probably feel after talking to the neighbors?",
                "More understanding about the noise.",
                [
                    "Angry enough to call the police.",
                    "Happy that the dog was lost.",
                    "Excited to get a dog of their own.",
                ],
            ),
        ],
    ),
    (
        "I tried to bake bread for the first time today. I forgot to add the yeast, so the loaf came out flat and hard as a rock. My roommate still ate two slices and said it was great.",
        [
            (
                "Why did the bread come out flat?",
                "The writer forgot to add yeast.",
                [
                    "The oven was too cold.",
                    "The roommate ate the dough.",
                    "The writer used too much yeast.",
                ],
            ),
            (
                "Why might the roommate have said the bread was great?",
                "To be kind and make the writer feel better.",
                [
                    "Because it was the best bread they had ever eaten.",
                    "Because they wanted the writer to stop baking.",
                    "Because they had not tasted it.",
                ],
            ),
        ],
    ),
    (
        "Last month I started volunteering at an animal shelter on Saturday mornings. Mostly I walk the dogs and clean the cages, but last week I helped a family pick out their first pet. Seeing the kids' faces made the whole morning worth it.",
        [
            (
                "What does the writer probably enjoy most about volunteering?",
                "Helping animals find new homes.",
                [
                    "Cleaning the cages.",
                    "Getting paid for their work.",
                    "Sleeping in on Saturdays.",
                ],
            ),
            (
                "Why did the family come to the shelter?",
                "They wanted to adopt a pet.",
                [
                    "They wanted to volunteer too.",
                    "They were dropping off their old dog.",
                    "They were lost and needed directions.",
                ],
            ),
        ],
    ),
    (
        "I got a call from my old college roommate yesterday. We had not spoken in almost five years, but we talked for two hours like no time had passed. We are planning to meet up next month when she visits the city.",
        [
            (
                "Why did the call last so long?",
                "They had a lot to catch up on.",
                [
                    "The roommate needed help with homework.",
                    "The phone line was bad and they kept repeating themselves.",
                    "They were arguing about an old debt.",
                ],
            ),
            (
                "What will probably happen next month?",
                "The two friends will see each other in person.",
                [
                    "The writer will move to another country.",
                    "They will stop talking again.",
                    "The roommate will start college.",
                ],
            ),
        ],
    ),
    (
        "The job interview was at nine, so I left the house at seven to be safe. Traffic was so light that I arrived an hour early. I sat in a coffee shop across the street and went over my notes again.",
        [
            (
                "Why did the writer leave home so early?",
                "They did not want to risk being late.",
                [
                    "They wanted to avoid the coffee shop.",
                    "The interview started at seven.",
                    "They needed to drop their kids at school.",
                ],
            ),
            (
                "How did the writer use the extra time?",
                "They reviewed their notes in a coffee shop.",
                [
                    "They went back home to sleep.",
                    "They drove around the city.",
                    "They canceled the interview.",
                ],
            ),
        ],
    ),
    (
        "My daughter lost her first tooth at dinner tonight. She put it under her pillow and made me promise to stay quiet so the tooth fairy would come. She fell asleep in about five minutes.",
        [
            (
                "Why did the daughter put the tooth under her pillow?",
                "She hoped the tooth fairy would visit.",
                [
                    "She wanted to hide it from her brother.",
                    "The tooth was still hurting.",
                    "Her pillow was too flat.",
                ],
            ),
            (
                "What will the parent probably do later that night?",
                "Quietly swap the tooth for a coin or a note.",
                [
                    "Wake the daughter up to talk about teeth.",
                    "Take the daughter to the dentist.",
                    "Throw the pillow away.",
                ],
            ),
        ],
    ),
    (
        "I moved to a new city for work and did not know anyone. In the second week I joined a climbing gym near my apartment. Now I have a group of friends I climb with three nights a week.",
        [
            (
                "Why did the writer join the climbing gym?",
                "To meet people in the new city.",
                [
                    "Because their job required it.",
                    "Because they were already a professional climber.",
                    "To get away from their old friends.",
                ],
            ),
            (
                "How does the writer probably feel about the move now?",
                "Happier and less lonely.",
                [
                    "Regretful and isolated.",
                    "Ready to move back home right away.",
                    "Angry at the climbing gym.",
                ],
            ),
        ],
    ),
    (
        "This morning I found a wallet on the bus with two hundred dollars in it. There was a driver's license inside, so I looked up the address and dropped it off on my way home. The woman who answered the door almost cried.",
        [
            (
                "Why did the woman almost cry?",
                "She was relieved to get her wallet back.",
                [
                    "She was sad that the money was missing.",
                    "She did not know the writer.",
                    "She had lost her job that day.",
                ],
            ),
            (
                "What kind of person is the writer?",
                "Honest and considerate.",
                ["Greedy and careless.", "Lazy and forgetful.", "Shy and afraid of strangers."],
            ),
        ],
    ),
    (
        "We planted a small vegetable garden in the backyard this spring. The tomatoes did well, but something kept eating the lettuce at night. Yesterday I finally saw a rabbit sneaking under the fence.",
        [
            (
                "What was eating the lettuce?",
                "A rabbit that got in under the fence.",
                [
                    "The tomatoes were taking all the water.",
                    "The neighbor's children.",
                    "A bird that lived on the roof.",
                ],
            ),
            (
                "What might the writer do next?",
                "Fix the fence so the rabbit cannot get in.",
                [
                    "Plant more lettuce for the rabbit.",
                    "Stop growing tomatoes.",
                    "Move the garden inside the house.",
                ],
            ),
        ],
    ),
    (
        "I had been putting off going to the dentist for two years. Last week the pain in my back tooth got so bad that I could not sleep. The dentist said I needed a filling and that I should have come in much sooner.",
        [
            (
                "Why did the writer finally go to the dentist?",
                "The tooth pain became too strong to ignore.",
                [
                    "They wanted whiter teeth.",
                    "The dentist invited them to a party.",
                    "Their tooth fell out during dinner.",
                ],
            ),
            (
                "What will the writer probably do in the future?",
                "Visit the dentist more regularly.",
                [
                    "Never see a dentist again.",
                    "Eat more candy before bed.",
                    "Become a dentist themselves.",
                ],
            ),
        ],
    ),
    (
        "My brother borrowed my camera for his trip to Iceland. He brought it back with a cracked lens and a memory card full of amazing pictures of waterfalls. I was annoyed for about a minute before I saw the photos.",
        [
            (
                "Why was the writer annoyed?",
                "The camera came back with a cracked lens.",
                [
                    "The brother did not take any pictures.",
                    "The trip to Iceland was canceled.",
                    "The brother kept the camera.",
                ],
            ),
            (
                "Why did the writer stop being annoyed?",
                "The photos of the waterfalls were beautiful.",
                [
                    "The brother bought them a new house.",
                    "The lens fixed itself.",
                    "The writer never liked that camera.",
                ],
            ),
        ],
    ),
    (
        "The restaurant was so busy on Friday that we waited forty minutes for a table. When the food finally came, my soup was cold and my friend's order was wrong. The manager apologized and gave us dessert for free.",
        [
            (
                "Why did the manager give them free dessert?",
                "To make up for the slow service and the mistakes.",
                [
                    "Because it was the friend's birthday.",
                    "Because they were the only customers.",
                    "Because they complained about the dessert.",
                ],
            ),
            (
                "How did the writer probably feel when the soup arrived?",
                "Disappointed that it was cold.",
                [
                    "Delighted by how hot it was.",
                    "Surprised that it was free.",
                    "Happy that they had waited so long.",
                ],
            ),
        ],
    ),
    (
        "I started learning Spanish with an app three months ago. Last week I traveled to Madrid and managed to order food and ask for directions on my own. A waiter even complimented my accent.",
        [
            (
                "Why was the writer able to order food in Madrid?",
                "They had been studying Spanish for months.",
                [
                    "Everyone in the restaurant spoke English.",
                    "The waiter ordered for them.",
                    "They grew up speaking Spanish.",
                ],
            ),
            (
                "How did the writer probably feel when the waiter complimented them?",
                "Encouraged to keep practicing.",
                [
                    "Embarrassed and ready to quit.",
                    "Angry at the waiter.",
                    "Confused because they did not understand.",
                ],
            ),
        ],
    ),
    (
        "Our team had been working on the project for six months. Two days before the launch, we found a serious bug that could delete users' data. We stayed late every night to fix it and still launched on time.",
        [
            (
                "Why did the team stay late every night?",
                "They needed to fix a serious bug before the launch.",
                [
                    "Their office had free dinner at night.",
                    "They had nothing else to do.",
                    "The launch was delayed by six months.",
                ],
            ),
            (
                "What might have happened if they had not found the bug?",
                "Users could have lost their data.",
                [
                    "The launch would have been a week earlier.",
                    "The team would have gotten a bonus.",
                    "Nothing would have changed.",
                ],
            ),
        ],
    ),
    (
        "My son wanted a puppy for years, so for his tenth birthday we finally said yes. He promised to walk the dog every morning before school. So far he has kept that promise for three whole weeks.",
        [
            (
                "Why did the parents finally agree to get a puppy?",
                "Their son had wanted one for years and it was his birthday.",
                [
                    "The son found a puppy in the street.",
                    "They wanted someone to guard the house.",
                    "The neighbor gave them one for free.",
                ],
            ),
            (
                "How do the parents probably feel about their son now?",
                "Proud that he is keeping his promise.",
                [
                    "Angry that he never walks the dog.",
                    "Worried that he is allergic to dogs.",
                    "Sad that he is growing up too fast.",
                ],
            ),
        ],
    ),
    (
        "The snow started falling around noon and did not stop. By evening the roads were closed and the school had sent everyone home early. The kids spent the afternoon building a snowman in the front yard.",
        [
            (
                "Why did the school send everyone home?",
                "The heavy snow made the roads dangerous.",
                [
                    "The teachers were on strike.",
                    "It was the last day of the year.",
                    "The kids wanted to build a snowman.",
                ],
            ),
            (
                "What did the kids probably do after building the snowman?",
                "Came inside to warm up.",
                [
                    "Went swimming in the lake.",
                    "Went back to school.",
                    "Went to the beach for a picnic.",
                ],
            ),
        ],
    ),
    (
        "I sold my old guitar online last week. The buyer drove two hours to pick it up and told me he had been looking for that exact model since high school. He played a song right there in my driveway.",
        [
            (
                "Why did the buyer drive so far?",
                "He had wanted that particular guitar for a long time.",
                [
                    "He lived next door to the writer.",
                    "He wanted to return a guitar.",
                    "He was lost and needed directions.",
                ],
            ),
            (
                "How did the buyer probably feel when he played the song?",
                "Happy and excited.",
                [
                    "Annoyed by the long drive.",
                    "Bored with the guitar.",
                    "Sad about spending the money.",
                ],
            ),
        ],
    ),
    (
        "We tried a new hiking trail on Sunday that the guidebook called easy. It turned out to be steep and rocky, and we ran out of water halfway up. By the time we reached the top, we were too tired to enjoy the view.",
        [
            (
                "Why were they too tired to enjoy the view?",
                "The trail was much harder than they expected.",
                [
                    "They had slept too much the night before.",
                    "The view was blocked by a building.",
                    "They drove all the way to the top.",
                ],
            ),
            (
                "What will they probably do before their next hike?",
                "Bring more water and check the trail more carefully.",
                [
                    "Trust the same guidebook without question.",
                    "Hike the trail at night.",
                    "Leave their water bottles at home.",
                ],
            ),
        ],
    ),
    (
        "My coworker has been bringing homemade cookies to the office every Friday. Nobody knew why until today, when she told us she is saving up to open her own bakery. She wanted honest feedback on her recipes.",
        [
            (
                "Why has the coworker been bringing cookies every Friday?",
                "She wanted feedback for her future bakery.",
                [
                    "It was her job to feed the office.",
                    "She was trying to get a promotion.",
                    "She had too many cookies at home.",
                ],
            ),
            (
                "What might the coworker do in the future?",
                "Open a bakery of her own.",
                [
                    "Stop baking forever.",
                    "Move to another office to sell cookies.",
                    "Become the office manager.",
                ],
            ),
        ],
    ),
    (
        "I lost my phone at the concert last night. This morning I used my laptop to track it and saw it was still at the stadium. The lost and found office had it waiting for me with a full battery.",
        [
            (
                "How did the writer find out where the phone was?",
                "By tracking it from their laptop.",
                [
                    "A friend called them from the stadium.",
                    "They heard it ringing in their bag.",
                    "The band announced it on stage.",
                ],
            ),
            (
                "How did the writer probably feel at the lost and found office?",
                "Relieved to have the phone back.",
                [
                    "Upset that the battery was dead.",
                    "Angry at the stadium staff.",
                    "Sad that the concert was over.",
                ],
            ),
        ],
    ),
    (
        "The bus driver waited for me even though I was still half a block away. I was carrying two heavy bags of groceries and could not run. When I got on, I thanked him three times.",
        [
            (
                "Why could the writer not run to the bus?",
                "They were carrying heavy bags of groceries.",
                [
                    "They had a broken leg.",
                    "They did not want to take the bus.",
                    "The driver told them to walk slowly.",
                ],
            ),
            (
                "Why did the writer thank the driver three times?",
                "They were grateful that he waited.",
                [
                    "The driver asked them to.",
                    "They were late for work.",
                    "They wanted a free ride.",
                ],
            ),
        ],
    ),
    (
        "We threw a surprise party for my dad's retirement after thirty years at the factory. His old coworkers showed up with a cake shaped like a forklift. He gave a short speech and then spent the rest of the night telling stories.",
        [
            (
                "Why was the party held?",
                "To celebrate the dad's retirement.",
                [
                    "To celebrate a new job at the factory.",
                    "Because the factory was closing.",
                    "Because it was the dad's birthday.",
                ],
            ),
            (
                "Why might the cake have been shaped like a forklift?",
                "The dad had driven forklifts at the factory.",
                [
                    "Forklift cakes were the cheapest.",
                    "The dad collects toy cars.",
                    "The coworkers did not know him well.",
                ],
            ),
        ],
    ),
    (
        "I decided to make dinner for my parents' anniversary. I spent all afternoon on a lasagna, but I dropped the whole dish on the kitchen floor as I took it out of the oven. We ended up ordering pizza and laughing about it.",
        [
            (
                "Why did they order pizza?",
                "The lasagna fell on the floor.",
                [
                    "The parents did not like lasagna.",
                    "The oven was broken all afternoon.",
                    "It was a tradition on their anniversary.",
                ],
            ),
            (
                "How did the family react in the end?",
                "They laughed it off and enjoyed the evening.",
                [
                    "They canceled the anniversary.",
                    "They argued all night.",
                    "They went to bed hungry.",
                ],
            ),
        ],
    ),
]
COSMOS_DEV = [
    (
        "My flight was canceled because of a storm, and the next one was not until the morning. The airline gave me a hotel voucher, but the hotel was already full. I ended up sleeping on a bench at the gate.",
        [
            (
                "Why did the writer sleep at the gate?",
                "The hotel had no rooms left.",
                [
                    "They wanted to be first in line for breakfast.",
                    "They missed their flight on purpose.",
                    "The bench was more comfortable than a bed.",
                ],
            ),
            (
                "How did the writer probably feel the next morning?",
                "Tired and stiff.",
                [
                    "Well rested and refreshed.",
                    "Excited about the hotel.",
                    "Happy that the storm came.",
                ],
            ),
        ],
    ),
    (
        "My sister asked me to be in her wedding, and I said yes before realizing I would have to give a speech. I practiced it every night for a month. On the day, my voice shook, but everyone laughed at the right moments.",
        [
            (
                "Why did the writer practice every night?",
                "They were nervous about giving the speech.",
                [
                    "They wanted to become a professional speaker.",
                    "The sister asked them to sing.",
                    "They had forgotten about the wedding.",
                ],
            ),
            (
                "How did the speech go?",
                "It went well even though the writer was nervous.",
                [
                    "Nobody could hear it.",
                    "The writer did not show up.",
                    "Everyone left in the middle.",
                ],
            ),
        ],
    ),
    (
        "I bought a used bike to ride to work instead of driving. The first week my legs hurt so much I could barely climb the stairs. Now I ride every day and I have saved a lot on gas.",
        [
            (
                "Why did the writer's legs hurt in the first week?",
                "They were not used to riding a bike every day.",
                [
                    "They fell off the bike on the first day.",
                    "The bike was too small for them.",
                    "They had to climb stairs at work.",
                ],
            ),
            (
                "What is a benefit the writer mentions?",
                "They spend less money on gas.",
                [
                    "They get to work faster than by car.",
                    "Their car runs better.",
                    "Their office moved closer.",
                ],
            ),
        ],
    ),
    (
        "Our basement flooded after three days of heavy rain. We spent the weekend carrying out wet boxes and drying old photo albums on the porch. Some of the pictures of my grandparents could not be saved.",
        [
            (
                "Why were they drying photo albums on the porch?",
                "The albums got wet in the flooded basement.",
                [
                    "They wanted to sell the albums.",
                    "The porch was the only room with light.",
                    "They were making a new album.",
                ],
            ),
            (
                "How does the writer probably feel about the lost pictures?",
                "Sad because the pictures cannot be replaced.",
                [
                    "Relieved to have fewer things.",
                    "Happy about the rain.",
                    "Indifferent because they were only boxes.",
                ],
            ),
        ],
    ),
    (
        "I finally got my driver's license on the third try. The first time I failed parallel parking, and the second time I forgot to signal. This time the examiner said I was one of the calmest drivers she had seen all week.",
        [
            (
                "Why did the writer fail the first test?",
                "They could not parallel park well enough.",
                ["They forgot to signal.", "They drove too calmly.", "The examiner was sick."],
            ),
            (
                "What probably helped the writer pass this time?",
                "Staying calm and learning from earlier mistakes.",
                [
                    "Bringing a friend to drive for them.",
                    "Skipping the parking part of the test.",
                    "Taking the test on a new road.",
                ],
            ),
        ],
    ),
    (
        "A little boy at the park lost his balloon and started crying. An old man selling ice cream nearby tied a new balloon to the boy's wrist. The boy's mother tried to pay him, but he just waved and smiled.",
        [
            (
                "Why did the boy start crying?",
                "His balloon flew away.",
                [
                    "He dropped his ice cream.",
                    "His mother left the park.",
                    "The old man scared him.",
                ],
            ),
            (
                "What kind of person is the ice cream seller?",
                "Kind and generous.",
                ["Greedy and rude.", "Shy and nervous.", "Busy and impatient."],
            ),
        ],
    ),
]
NONE_OF_THE_ABOVE = "None of the above choices ."


def ptb(text: str) -> str:
    """The release's tokenised spacing: ``did n't``, ``driver 's``, ``late .``."""
    text = re.sub(r"n't\b", " n't", text)
    text = re.sub(r"(\w)'(s|m|re|ve|ll|d)\b", r"\1 '\2", text)
    text = re.sub(r"(\w)' ", r"\1 ' ", text)
    text = re.sub(r"\s*([.,!?;:])(?=\s|$)", r" \1", text)
    return re.sub(r"\s+", " ", text).strip()


def _mturk_id(rng: random.Random, n: int = 30) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def cosmosqa(rng: random.Random) -> dict[str, list[list[str]]]:
    """CSV rows; each question appears twice (``q1_a1``, ``q1_a2``) with different answer
    sets, and in about a third of second sets the true answer is "None of the above"."""
    out: dict[str, list[list[str]]] = {}
    for split, passages in (("train", COSMOS), ("valid", COSMOS_DEV)):
        rows = []
        for passage, questions in passages:
            hit, assignment, worker = _mturk_id(rng), _mturk_id(rng), "A" + _mturk_id(rng, 13)
            blog = f"Blog_{rng.randint(1000, 1600000)}"
            for q, (question, correct, wrong) in enumerate(questions, 1):
                for variant in (1, 2):
                    if variant == 1:
                        answers, gold = [correct, *wrong], correct
                    elif rng.random() < 1 / 3:
                        answers, gold = [NONE_OF_THE_ABOVE, *wrong], NONE_OF_THE_ABOVE
                    else:
                        answers = [correct, *rng.sample(wrong, 2), NONE_OF_THE_ABOVE]
                        gold = correct
                    rng.shuffle(answers)
                    rid = (
                        f"{hit}##{assignment}##{worker}##{blog}##q{q}_a{variant}##{_mturk_id(rng)}"
                    )
                    rows.append(
                        [rid, ptb(passage), ptb(question)]
                        + [ptb(a) for a in answers]
                        + [str(answers.index(gold))]
                    )
        out[split] = rows
    return out


# --------------------------------------------------------------------------- CommonsenseQA
# (concept, answer) facts per relation; distractors are other answers of the same relation.
AT_LOCATION = [
    ("milk", "refrigerator"),
    ("library book", "library"),
    ("airplane", "airport"),
    ("toothbrush", "bathroom"),
    ("pillow", "bedroom"),
    ("cow", "farm"),
    ("painting", "museum"),
    ("letter", "mailbox"),
    ("sand", "beach"),
    ("stethoscope", "hospital"),
    ("blackboard", "classroom"),
    ("popcorn", "movie theater"),
    ("winter coat", "closet"),
    ("bench", "park"),
    ("fresh bread", "bakery"),
    ("ship", "harbor"),
    ("honey", "beehive"),
    ("fork", "kitchen drawer"),
    ("tent", "campsite"),
    ("lion", "zoo"),
    ("cash register", "grocery store"),
    ("hymn book", "church"),
    ("stapler", "office"),
    ("train", "station"),
    ("swing", "playground"),
    ("shampoo", "shower"),
    ("wine", "cellar"),
    ("car", "garage"),
    ("goldfish", "aquarium"),
    ("textbook", "backpack"),
    ("dirty clothes", "laundry basket"),
    ("rowboat", "lake"),
]
USED_FOR = [
    ("knife", "cutting food"),
    ("umbrella", "staying dry"),
    ("key", "opening a door"),
    ("pen", "writing a letter"),
    ("ladder", "reaching high places"),
    ("oven", "baking bread"),
    ("bar of soap", "washing hands"),
    ("map", "finding your way"),
    ("clock", "telling time"),
    ("broom", "sweeping the floor"),
    ("camera", "taking pictures"),
    ("pair of scissors", "cutting paper"),
    ("thermometer", "measuring temperature"),
    ("blanket", "keeping warm"),
    ("calculator", "doing arithmetic"),
    ("hammer", "driving nails"),
    ("pair of glasses", "seeing clearly"),
    ("sponge", "cleaning dishes"),
    ("bicycle", "getting around town"),
    ("refrigerator", "keeping food cold"),
    ("suitcase", "packing for a trip"),
    ("telephone", "talking to a friend far away"),
    ("shovel", "digging a hole"),
    ("needle and thread", "sewing on a button"),
]
CAUSES = [
    ("touch a hot stove", "get burned"),
    ("eat too much food", "feel full"),
    ("run a marathon", "get tired"),
    ("stay up all night", "feel sleepy"),
    ("walk in the rain without an umbrella", "get wet"),
    ("skip breakfast", "feel hungry"),
    ("win the lottery", "become rich"),
    ("study hard for an exam", "pass the test"),
    ("exercise every day", "get stronger"),
    ("tell a funny joke", "make people laugh"),
    ("lose your house keys", "be locked out"),
    ("drop a glass on a tile floor", "break the glass"),
    ("read in dim light", "strain your eyes"),
    ("sit in the sun all day", "get sunburned"),
    ("forget a friend's birthday", "feel guilty"),
    ("practice the piano every day", "play better"),
    ("shout at a friend", "hurt their feelings"),
    ("plant seeds and water them", "see them grow"),
    ("drink too much coffee", "have trouble sleeping"),
    ("miss the last bus", "walk home"),
]
STEMS = {
    "at": [
        "Where would you most likely find {a}?",
        "Where do people usually keep {a}?",
    ],
    "used": [
        "What is {a} used for?",
        "Why would someone pick up {a}?",
    ],
    "cause": [
        "What is likely to happen if you {c}?",
        "If you {c}, what will probably happen?",
    ],
}
_MASS = ("milk", "sand", "popcorn", "fresh bread", "honey", "shampoo", "wine", "dirty clothes")


def _with_article(noun: str) -> str:
    if noun in _MASS:
        return noun
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _csqa_items(
    relation: str, facts: list[tuple[str, str]], pool: list[str]
) -> list[tuple[str, str, str, list[str]]]:
    """(concept, stem, answer, pool of same-relation answers) for both stems of every fact."""
    items = []
    for concept, answer in facts:
        for stem in STEMS[relation]:
            items.append((concept, stem.format(a=_with_article(concept), c=concept), answer, pool))
    return items


def commonsenseqa(rng: random.Random) -> dict[str, list[dict]]:
    """Records in the release's shape; the last facts of each relation are dev only."""
    out: dict[str, list[dict]] = {"train": [], "dev": []}
    for relation, facts, n_dev in (
        ("at", AT_LOCATION, 5),
        ("used", USED_FOR, 4),
        ("cause", CAUSES, 3),
    ):
        for split, subset in (("train", facts[:-n_dev]), ("dev", facts[-n_dev:])):
            answers = [answer for _, answer in facts]
            for concept, stem, answer, pool in _csqa_items(relation, subset, answers):
                texts = rng.sample([p for p in pool if p != answer], 4)
                slot = rng.randrange(5)
                texts.insert(slot, answer)
                out[split].append(
                    {
                        "answerKey": "ABCDE"[slot],
                        "id": hashlib.md5(stem.encode()).hexdigest(),
                        "question": {
                            "question_concept": concept,
                            "choices": [
                                {"label": key, "text": text}
                                for key, text in zip("ABCDE", texts, strict=True)
                            ],
                            "stem": stem,
                        },
                    }
                )
    return out


# --------------------------------------------------------------------------- SocialIQA
# Events with ATOMIC-style answers per question type; {x} acts, {y} (if any) is the other.
NAMES = [
    "Sasha",
    "Riley",
    "Jordan",
    "Cameron",
    "Kai",
    "Aubrey",
    "Skylar",
    "Tracy",
    "Robin",
    "Austin",
    "Bailey",
    "Carson",
    "Jesse",
    "Lee",
    "Quinn",
    "Remy",
    "Taylor",
    "Alex",
    "Casey",
    "Jan",
    "Kendall",
    "Addison",
    "Ash",
    "Sydney",
]
QUESTIONS = {
    "intent": "Why did {x} do this?",
    "need": "What does {x} need to do before this?",
    "attr": "How would you describe {x}?",
    "react": "How would {x} feel afterwards?",
    "want": "What will {x} want to do next?",
    "others": "How would {y} feel as a result?",
}
EVENTS = [
    (
        "{x} baked cookies for {y}'s birthday party.",
        {
            "intent": "make {y} happy",
            "need": "buy flour and sugar",
            "attr": "thoughtful",
            "want": "watch {y} open the presents",
            "others": "grateful to {x}",
        },
    ),
    (
        "{x} stayed up all night studying for the chemistry exam.",
        {
            "intent": "get a good grade",
            "need": "borrow the class notes",
            "attr": "hardworking",
            "react": "tired but prepared",
            "want": "take a nap after the test",
        },
    ),
    (
        "{x} lent {y} their car for the weekend.",
        {
            "intent": "help {y} out",
            "need": "fill the tank with gas",
            "attr": "generous",
            "react": "a little nervous about the car",
            "others": "thankful",
        },
    ),
    (
        "{x} forgot {y}'s name at the party.",
        {
            "attr": "forgetful",
            "react": "embarrassed",
            "want": "apologize to {y}",
            "others": "a little hurt",
        },
    ),
    (
        "{x} adopted a puppy from the animal shelter.",
        {
            "intent": "have a companion",
            "need": "fill out the adoption papers",
            "attr": "caring",
            "react": "excited",
            "want": "buy a bed for the puppy",
        },
    ),
    (
        "{x} cleaned the whole apartment before {y} came over.",
        {
            "intent": "make a good impression",
            "need": "buy cleaning supplies",
            "attr": "tidy",
            "want": "show {y} around",
            "others": "comfortable",
        },
    ),
    (
        "{x} spilled coffee on {y}'s new laptop.",
        {"attr": "clumsy", "react": "guilty", "want": "pay for the repair", "others": "upset"},
    ),
    (
        "{x} won the town's chess tournament.",
        {
            "need": "practice for months",
            "attr": "smart",
            "react": "proud",
            "want": "celebrate with friends",
        },
    ),
    (
        "{x} gave {y} a ride to the airport early in the morning.",
        {
            "intent": "help {y} catch the flight",
            "need": "wake up early",
            "attr": "helpful",
            "want": "drive back home to sleep",
            "others": "grateful",
        },
    ),
    (
        "{x} volunteered at the food bank on Saturday.",
        {
            "intent": "help people in need",
            "need": "sign up as a volunteer",
            "attr": "kind",
            "react": "fulfilled",
            "want": "come back next week",
        },
    ),
    (
        "{x} told {y} a secret about the surprise party.",
        {
            "intent": "include {y} in the plan",
            "need": "plan the surprise party",
            "attr": "trusting",
            "want": "make {y} promise to keep quiet",
            "others": "excited to help",
        },
    ),
    (
        "{x} ran five miles in the rain.",
        {
            "intent": "stay in shape",
            "need": "put on running shoes",
            "attr": "determined",
            "react": "soaked but happy",
            "want": "take a hot shower",
        },
    ),
    (
        "{x} broke {y}'s favorite vase by accident.",
        {"attr": "careless", "react": "terrible", "want": "buy {y} a new vase", "others": "sad"},
    ),
    (
        "{x} cooked dinner for the whole family.",
        {
            "intent": "give everyone a nice meal",
            "need": "go grocery shopping",
            "attr": "helpful",
            "react": "satisfied",
            "want": "eat with the family",
        },
    ),
    (
        "{x} asked {y} to dance at the wedding.",
        {
            "intent": "have fun with {y}",
            "need": "gather some courage",
            "attr": "brave",
            "react": "nervous",
            "others": "flattered",
        },
    ),
    (
        "{x} moved to a new city for a job.",
        {
            "intent": "advance their career",
            "need": "find an apartment",
            "attr": "ambitious",
            "react": "anxious",
            "want": "make new friends",
        },
    ),
    (
        "{x} found a wallet on the bus and returned it to the owner.",
        {
            "intent": "do the right thing",
            "need": "look for the owner's name",
            "attr": "honest",
            "react": "good about it",
            "want": "get on with the day",
        },
    ),
    (
        "{x} yelled at {y} during the meeting.",
        {
            "intent": "get their point across",
            "attr": "rude",
            "react": "regretful",
            "want": "apologize after the meeting",
            "others": "humiliated",
        },
    ),
    (
        "{x} planted tomatoes in the backyard.",
        {
            "intent": "grow their own food",
            "need": "buy seeds and soil",
            "attr": "patient",
            "react": "hopeful",
            "want": "water the plants every day",
        },
    ),
    (
        "{x} paid for {y}'s lunch.",
        {
            "intent": "treat {y}",
            "need": "bring their wallet",
            "attr": "generous",
            "want": "have lunch again soon",
            "others": "appreciated",
        },
    ),
    (
        "{x} missed the bus and was late for work.",
        {
            "attr": "disorganized",
            "react": "stressed",
            "want": "explain things to the boss",
            "need": "leave the house too late",
        },
    ),
    (
        "{x} learned to play the guitar over the summer.",
        {
            "intent": "play songs for friends",
            "need": "buy a guitar",
            "attr": "musical",
            "react": "accomplished",
            "want": "join a band",
        },
    ),
    (
        "{x} comforted {y} after the funeral.",
        {
            "intent": "support {y}",
            "need": "go to the funeral",
            "attr": "compassionate",
            "want": "check on {y} tomorrow",
            "others": "less alone",
        },
    ),
    (
        "{x} painted the bedroom a bright yellow.",
        {
            "intent": "make the room cheerful",
            "need": "buy paint and brushes",
            "attr": "creative",
            "react": "pleased with the color",
            "want": "move the furniture back",
        },
    ),
    (
        "{x} ate the last slice of pizza without asking {y}.",
        {
            "intent": "satisfy their hunger",
            "attr": "selfish",
            "want": "order another pizza",
            "others": "annoyed",
        },
    ),
    (
        "{x} helped {y} move into a new apartment.",
        {
            "intent": "be a good friend",
            "need": "borrow a truck",
            "attr": "dependable",
            "react": "exhausted",
            "others": "grateful for the help",
        },
    ),
    (
        "{x} took a photography class at the community center.",
        {
            "intent": "learn a new hobby",
            "need": "buy a camera",
            "attr": "curious",
            "react": "inspired",
            "want": "take pictures of the city",
        },
    ),
    (
        "{x} forgot to feed the cat before leaving for the weekend.",
        {
            "attr": "forgetful",
            "react": "worried",
            "want": "ask a neighbor to feed the cat",
            "need": "leave in a hurry",
        },
    ),
    (
        "{x} invited {y} to join the study group.",
        {
            "intent": "help {y} with the class",
            "need": "ask the group first",
            "attr": "friendly",
            "want": "meet at the library",
            "others": "welcome",
        },
    ),
    (
        "{x} saved money all year to buy a bicycle.",
        {
            "intent": "ride to work",
            "need": "set money aside every week",
            "attr": "disciplined",
            "react": "proud",
            "want": "ride the bicycle to work",
        },
    ),
]
EVENTS_DEV = [
    (
        "{x} brought soup to {y}, who had the flu.",
        {
            "intent": "help {y} feel better",
            "need": "make the soup",
            "attr": "caring",
            "others": "cared for",
        },
    ),
    (
        "{x} got a promotion at work.",
        {
            "need": "work hard all year",
            "attr": "successful",
            "react": "happy",
            "want": "celebrate with family",
        },
    ),
    (
        "{x} lost the keys to the house.",
        {
            "attr": "careless",
            "react": "panicked",
            "want": "call a locksmith",
            "need": "have the keys with them",
        },
    ),
    (
        "{x} shared an umbrella with {y} in the storm.",
        {
            "intent": "keep {y} dry",
            "need": "bring an umbrella",
            "attr": "considerate",
            "others": "thankful",
        },
    ),
    (
        "{x} practiced the speech in front of the mirror.",
        {
            "intent": "feel confident",
            "need": "write the speech",
            "attr": "prepared",
            "want": "give the speech well",
        },
    ),
    (
        "{x} apologized to {y} for being late.",
        {
            "intent": "make things right",
            "need": "arrive late",
            "attr": "polite",
            "others": "forgiving",
        },
    ),
]


def socialiqa(rng: random.Random) -> dict[str, tuple[list[dict], list[str]]]:
    """(records, 1-based labels) per split; distractors answer the same question type
    for other events, with this item's names filled in."""
    pools: dict[str, list[str]] = {}
    for _, answers in EVENTS + EVENTS_DEV:
        for kind, answer in answers.items():
            pools.setdefault(kind, []).append(answer)
    out = {}
    for split, events in (("train", EVENTS), ("dev", EVENTS_DEV)):
        records, labels = [], []
        for event, answers in events:
            kinds = [k for k in QUESTIONS if k in answers][:4]
            x, y = rng.sample(NAMES, 2)  # one context, several questions, as released
            for kind in kinds:
                question = QUESTIONS[kind]
                if kind == "others" and "{y}" not in event:
                    question = "How would Others feel as a result?"
                options = rng.sample([a for a in pools[kind] if a != answers[kind]], 2)
                slot = rng.randrange(3)
                options.insert(slot, answers[kind])
                if kind == "intent":
                    options = [f"to {o}" for o in options]
                fill = {"x": x, "y": y}
                records.append(
                    {
                        "context": event.format(**fill),
                        "question": question.format(**fill),
                        "answerA": options[0].format(**fill),
                        "answerB": options[1].format(**fill),
                        "answerC": options[2].format(**fill),
                    }
                )
                labels.append(str(slot + 1))
        out[split] = (records, labels)
    return out


# --------------------------------------------------------------------------- writing
def _jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def main(out: Path = OUT) -> None:
    for split, records in hellaswag(random.Random(1905)).items():
        _jsonl(out / "hellaswag" / f"hellaswag_{split}.jsonl", records)

    header = ["id", "context", "question", "answer0", "answer1", "answer2", "answer3", "label"]
    for split, rows in cosmosqa(random.Random(1909)).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([header, *rows])
        path = out / "cosmosqa" / f"{split}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(buffer.getvalue(), encoding="utf-8")

    for split, records in commonsenseqa(random.Random(1811)).items():
        _jsonl(out / "commonsenseqa" / f"{split}_rand_split.jsonl", records)

    folder = out / "socialiqa" / "socialiqa-train-dev"
    for split, (records, labels) in socialiqa(random.Random(1904)).items():
        _jsonl(folder / f"{split}.jsonl", records)
        (folder / f"{split}-labels.lst").write_text("".join(f"{x}\n" for x in labels))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
