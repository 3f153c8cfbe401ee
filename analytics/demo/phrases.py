"""Phrase tables of the demo generator: clauses, cues, frames and fillers the text composer combines."""
from __future__ import annotations

from collections.abc import Mapping

# ----------------------------------------------------------------------------------------------
# Phrase bank. Clauses start lower case (except "I"), carry no final punctuation and may hold
# slots ({product}, {days}, ...). No phrase outside the cue bank contains an expectation cue.
# ----------------------------------------------------------------------------------------------
CLAUSES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "delivery": {
        "neg": (
            "the parcel turned up {days} days late", "the delivery was a disaster",
            "the courier left the box out in the rain", "my order still hasn't arrived",
            "the box arrived crushed and half open", "tracking has said out for delivery for {days} days",
            "the driver never even rang the bell", "I waited in all day and nobody came",
            "shipping took forever", "the package went to the wrong address",
            "half of the order was missing from the box", "my delivery slot got cancelled twice",
            "the courier marked it as delivered when it wasn't", "{courier} lost my parcel",
        ),
        "pos": (
            "delivery was quick", "it arrived a day early", "the courier was friendly and careful",
            "shipping was fast and the tracking was spot on", "the parcel was packed really well",
            "it turned up the very next morning", "delivery was smooth from start to finish",
            "{courier} dropped it off right on time", "everything arrived in perfect condition",
            "the delivery updates were clear and accurate", "the delivery wasn't slow at all",
        ),
        "neu": (
            "delivery took about {days} days", "it arrived within the usual window",
            "the parcel came on {weekday}", "delivery was fine, nothing special",
            "the courier left it with a neighbour",
        ),
    },
    "price": {
        "neg": (
            "it is way overpriced for what you get", "the price went up {pct}% since my last order",
            "it's not worth the money", "shipping costs more than the item itself",
            "the discount code didn't work at checkout", "I found it much cheaper elsewhere",
            "there were hidden fees at checkout", "it's far too expensive for the quality",
            "I was charged twice for the same order", "the sale price is just the normal price",
            "paying this much for that is a joke",
        ),
        "pos": (
            "it's great value for money", "the price is very fair",
            "it was cheaper than anywhere else I looked", "the discount made it a real bargain",
            "honestly not bad at all for the price", "you get a lot for what you pay",
            "free shipping was a nice bonus", "the loyalty points actually add up",
            "I couldn't beat the price", "it's worth every cent",
        ),
        "neu": (
            "the price is about average", "it costs roughly the same as other shops",
            "the price is fine I suppose", "I waited for the sale to buy it",
        ),
    },
    "quality": {
        "neg": (
            "it broke after {weeks} weeks", "the build quality is poor", "it feels cheap and flimsy",
            "the finish started peeling almost straight away", "one of the parts was cracked out of the box",
            "it stopped working after a few uses", "the stitching came apart",
            "it's nowhere near as sturdy as it looks", "there's a chemical smell that won't go away",
            "the quality has really gone downhill", "it doesn't work half the time",
        ),
        "pos": (
            "the quality is excellent", "it feels solid and well made", "it's still going strong after {weeks} weeks",
            "the materials are top notch", "it's really well built", "the attention to detail is impressive",
            "it has held up brilliantly", "the quality isn't bad at all, actually really good",
            "it's sturdy and beautifully finished", "there are no flaws anywhere",
        ),
        "neu": (
            "the quality is okay", "it does the job", "decent build, nothing fancy",
            "it's about what you'd get anywhere",
        ),
    },
    "support": {
        "neg": (
            "customer service never replied to my emails", "I was on hold for {minutes} minutes",
            "the agent hung up on me", "support keeps sending the same copy-paste answer",
            "nobody seems to know what is going on", "I've contacted support {n} times already",
            "the chatbot just goes round in circles", "the staff were rude and unhelpful",
            "my ticket was closed without a fix", "I keep getting passed from one department to another",
            "no one takes responsibility for anything",
        ),
        "pos": (
            "support sorted it out in minutes", "{agent} on the chat was incredibly helpful",
            "the agent was patient and friendly", "customer service went above and beyond",
            "they answered my email within the hour", "the team kept me updated the whole time",
            "support didn't make me jump through hoops", "{agent} fixed it on the first call",
            "the staff were kind and knowledgeable", "the callback came right when they said it would",
        ),
        "neu": (
            "support answered after a day or so", "the agent gave me a reference number",
            "I spoke to someone on the phone about it", "they said they would look into it",
        ),
    },
    "returns": {
        "neg": (
            "the return process is a nightmare", "I still haven't received my refund",
            "they refused my return for no reason", "I had to pay for return postage myself",
            "the refund was less than what I paid", "the return label never arrived",
            "it's been {weeks} weeks and still no refund", "they claim they never received the return",
            "the returns portal keeps giving an error", "getting my money back has been exhausting",
        ),
        "pos": (
            "the return was painless", "the refund came through in {days} days", "swapping the size was easy",
            "the returns team were very accommodating", "they sent a replacement straight away",
            "the free return label made it simple", "I got a no questions asked refund",
            "I got my money back quickly",
        ),
        "neu": (
            "I sent it back for a different size", "the refund is being processed",
            "I returned one item from the order", "returns go through the online portal",
        ),
    },
    "app": {
        "neg": (
            "the app keeps crashing at checkout", "the website is painfully slow",
            "I can't log in to my account", "the tracking page never updates", "my basket emptied itself twice",
            "the search on the site is useless", "the latest app update broke everything",
            "payment failed three times on the app", "the site logged me out halfway through my order",
        ),
        "pos": (
            "the app is quick and easy to use", "ordering on the website took two minutes",
            "I love the live tracking in the app", "the new checkout is much smoother",
            "the site makes it easy to find things", "saved payment details make reordering simple",
            "the app notifications are genuinely useful",
        ),
        "neu": (
            "I ordered through the app", "I used the website to place the order",
            "the app is fine for basic stuff", "I checked the status on the website",
        ),
    },
}
PRODUCT_CLAUSES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "Kitchen": {
        "pos": ("the {product} heats evenly and cleans up easily", "the {product} is a joy to cook with",
                "the {product} looks great on the counter", "the {product} saves me so much time",
                "the {product} feels like something from a restaurant kitchen"),
        "neg": ("the {product} burns everything on one side", "the coating on the {product} is already scratched",
                "the {product} is far too loud", "the {product} is awkward to clean",
                "the handle of the {product} gets scorching hot"),
    },
    "Coffee": {
        "pos": ("the {product} makes a lovely rich coffee", "the {product} has transformed my mornings",
                "the {product} is easy to dial in", "the crema from the {product} is beautiful",
                "the {product} is a proper treat every morning"),
        "neg": ("the coffee from the {product} tastes burnt", "the {product} leaks all over the counter",
                "the {product} is inconsistent from cup to cup", "the {product} clogs constantly",
                "the {product} takes ages to warm up"),
    },
    "Home": {
        "pos": ("the {product} makes the room feel so cosy", "the {product} is soft and comfortable",
                "the {product} is whisper quiet", "the {product} looks even nicer in person",
                "the {product} fits perfectly"),
        "neg": ("the {product} is noisier than my old one", "the {product} went flat within a month",
                "the colour of the {product} is nothing like the photos", "the {product} rattles at night",
                "the {product} smells musty"),
    },
    "Garden": {
        "pos": ("the {product} survived a whole winter outside", "the {product} was easy to set up",
                "the {product} makes gardening so much easier", "the {product} is tough and weatherproof",
                "my plants are thriving thanks to the {product}"),
        "neg": ("the {product} rusted after one season", "the {product} cracked in the first frost",
                "the {product} leaks at every joint", "the {product} fell apart in the wind",
                "the instructions for the {product} are useless"),
    },
    "Electronics": {
        "pos": ("the battery on the {product} lasts for days", "the {product} paired instantly",
                "the sound from the {product} is crisp and clear", "the {product} is fast and responsive",
                "setting up the {product} took two minutes"),
        "neg": ("the {product} keeps disconnecting", "the battery on the {product} dies by lunchtime",
                "the {product} gets really hot", "the {product} needs a firmware update every day",
                "the {product} won't pair with my phone"),
    },
    "Outdoor": {
        "pos": ("the {product} kept me dry in a downpour", "the {product} is light enough to carry all day",
                "the {product} packs down really small", "the {product} handled a week of camping easily",
                "the {product} is tough as nails"),
        "neg": ("the {product} leaked on the first night", "the {product} is much heavier than it looks",
                "a seam on the {product} split on day one", "the zip on the {product} jammed",
                "the {product} lost pressure within an hour"),
    },
}
PRODUCT_NEUTRAL: tuple[str, ...] = (
    "the {product} is alright", "the {product} works as described", "I use the {product} a couple of times a week",
    "the {product} is pretty much like my old one", "the {product} is a standard {category_lower} item",
)
SARCASM: Mapping[str, tuple[str, ...]] = {
    "delivery": ("Oh great, another week of waiting. Fantastic.", "Wow, only {days} days late this time. Impressive.",
                 "Love paying for express shipping to get it next month.",
                 "Brilliant, the courier left it in a puddle. Just what I wanted."),
    "price": ("Sure, charge me double, why not.", "What a bargain, only twice the price of everywhere else.",
              "Amazing how the discount somehow makes it more expensive."),
    "quality": ("Lasted a whole week. Truly built to last.", "Fantastic craftsmanship, it fell apart in my hands.",
                "Five stars for the fastest breakdown I've ever seen."),
    "support": ("Thanks so much for the copy-paste reply, very helpful.",
                "Great, another hour on hold listening to that lovely music.",
                "Really appreciate being hung up on. Top service."),
    "returns": ("Love how returning something is harder than buying it.",
                "Still waiting on my refund, but I'm sure it's coming any year now."),
    "app": ("Wonderful, the app crashed again right at payment.",
            "Nothing says modern like a website that logs you out every two minutes."),
    "product": ("Oh perfect, the {product} broke on day two. Exactly what I paid for.",
                "Just love cleaning up after the {product} every single morning."),
}
CUES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "delivery": {
        "missed": ("I was promised delivery by {weekday} and it came {days} days late.",
                   "I expected it within {days} days, not {days2}.", "The site promised next-day delivery.",
                   "It should have been here last {weekday}.", "Tracking said it was supposed to arrive on {weekday}."),
        "met": ("It arrived even sooner than I expected.", "It came on exactly the day that was promised."),
    },
    "price": {
        "missed": ("At this price I expected much better.",
                   "It was advertised at {pct}% off but the discount never applied.",
                   "I should have shopped around first."),
        "met": ("Better than I expected for the money.", "The price was exactly as advertised, no surprises."),
    },
    "quality": {
        "missed": ("I expected it to last more than a few weeks.", "It wasn't what I expected from the photos.",
                   "It should have been built to a higher standard.",
                   "Nothing like the premium feel that was advertised."),
        "met": ("The quality is even better than I expected.", "Built every bit as well as advertised."),
    },
    "support": {
        "missed": ("I was promised a callback within 24 hours and nobody called.",
                   "I expected a real answer, not a script.", "Support should have escalated this weeks ago."),
        "met": ("They sorted it faster than I expected.", "They called back exactly when they promised."),
    },
    "returns": {
        "missed": ("The refund was supposed to take {days} days; it has been {weeks} weeks.",
                   "I was promised a prepaid return label that never came.",
                   "I expected free returns, as advertised."),
        "met": ("The refund arrived sooner than I expected.", "Returns were as easy as advertised."),
    },
    "app": {
        "missed": ("The app should have saved my basket.", "I expected the tracking page to actually update."),
        "met": ("The new app works better than I expected.",),
    },
    "product": {
        "missed": ("The {product} wasn't what I expected at all.", "I expected the {product} to be much sturdier."),
        "met": ("The {product} is exactly what I expected, in a good way.",
                "The {product} does everything it was advertised to do."),
    },
}
CLAIM_CUES: tuple[str, ...] = (
    "It was advertised as {claim}, which it clearly is not.",
    "I expected {claim} because that is what the listing said.",
    "Advertised as {claim}? Not even close.",
    "For something advertised as {claim} it should have held up far better.",
    "I was promised {claim} and got the opposite.",
)
CLAIMS: Mapping[str, tuple[str, ...]] = {
    "Kitchen": ("dishwasher safe", "whisper quiet", "professional grade"),
    "Coffee": ("barista quality", "cafe grade", "leak proof"),
    "Home": ("hotel quality", "hypoallergenic", "ultra supportive"),
    "Garden": ("rust proof", "weather resistant", "tool free to assemble"),
    "Electronics": ("all-day battery", "crystal clear sound", "instant pairing"),
    "Outdoor": ("fully waterproof", "ultralight", "puncture proof"),
}

ONE_LINERS: Mapping[str, tuple[str, ...]] = {
    "pos": ("Love it!", "Perfect.", "Brilliant, thank you!", "Exactly right.", "Superb.", "Really happy with it.",
            "Ten out of ten.", "Great stuff."),
    "neg": ("Awful.", "Total waste of money.", "Never again.", "Very disappointed.", "Rubbish.", "Do not buy.",
            "Terrible experience."),
    "neu": ("It's fine.", "Okay I guess.", "Average.", "Nothing to report.", "Meh.", "Middle of the road."),
}
REVIEW_OPENERS: tuple[str, ...] = (
    "Bought the {product} {when}.", "Ordered the {product} as a gift.", "Update after {weeks} weeks:",
    "Second time ordering from this shop.", "This replaced my old one.", "My partner picked this one.",
)
WHEN: tuple[str, ...] = ("last week", "a month ago", "in the sale", "for my birthday", "two weeks ago")
REVIEW_CLOSERS: Mapping[str, tuple[str, ...]] = {
    "pos": ("Highly recommend.", "Would buy again.", "Five stars from me.", "Already ordered another one.",
            "Can't fault it.", "Thank you!"),
    "neg": ("Avoid.", "Will not be ordering again.", "Really disappointed.", "Save your money.",
            "Not impressed at all.", "One star is generous."),
    "neu": ("Might buy again.", "We'll see how it holds up.", "Three stars.", "It's okay for now."),
}
EMAIL_GREETINGS: tuple[str, ...] = ("Hello,", "Hi team,", "Dear Customer Service,", "Good morning,",
                                     "To whom it may concern,", "Hi there,")
EMAIL_CONTEXT: tuple[str, ...] = (
    "I am writing about order {order_id}.", "This is regarding my recent order, reference {order_id}.",
    "I placed order {order_id} on {weekday}.", "Following up on my order {order_id} ({product}).",
)
EMAIL_BACKGROUND: tuple[str, ...] = (
    "I have been a customer for {years} years.", "This is the first time I have had to write in.",
    "I bought it as a present for my mother.", "We use it every day at home.",
    "I ordered it on your website after seeing it in the newsletter.",
)
EMAIL_REQUESTS: Mapping[str, tuple[str, ...]] = {
    "neg": ("Please let me know how you intend to fix this.", "I would like a full refund as soon as possible.",
            "Could someone please call me back?", "I would appreciate a reply within 48 hours.",
            "If this is not resolved I will be closing my account."),
    "pos": ("I just wanted to say thank you.", "Please pass my thanks on to the team.", "Keep up the good work."),
    "neu": ("Could you confirm the status?", "Please advise on next steps.",
            "Let me know if you need anything else from me."),
}
EMAIL_SIGNOFFS: tuple[str, ...] = ("Regards, {first}", "Kind regards, {first} {initial}.", "Thanks, {first}",
                                    "Best, {first}", "Cheers, {first}", "Sincerely, {first} {initial}.")
CHAT_OPENERS: tuple[str, ...] = ("hi", "hello", "hey there", "hi, quick question", "hello? anyone there",
                                  "hi, I need help with an order", "hi, my order number is {order_id}")
CHAT_AGENT: Mapping[str, tuple[str, ...]] = {
    "greet": ("Thanks for reaching out, how can I help today?", "Could you share your order number please?",
              "Let me check that for you."),
    "neg": ("I'm sorry to hear that, let me look into it.", "I understand the frustration.",
            "I apologise for the trouble, I'll raise it now."),
    "pos": ("That's great to hear!", "Glad we could help.", "Thank you for the kind words."),
    "neu": ("I've added a note to your order.", "Is there anything else I can help with?"),
}
CHAT_CLOSERS: Mapping[str, tuple[str, ...]] = {
    "neg": ("this is ridiculous", "just sort it out please", "forget it", "I want to speak to a manager",
            "unbelievable"),
    "pos": ("great, thanks!", "perfect, thank you so much", "you've been really helpful"),
    "neu": ("ok thanks", "alright", "fine, I'll wait", "ok bye"),
}
PHONE_STARTS: tuple[str, ...] = ("yeah hi,", "hello, yes,", "hi, um,", "right, so,", "hiya,")
PHONE_FILLERS: tuple[str, ...] = ("um", "uh", "so", "yeah", "honestly", "you know", "like", "I mean")
PHONE_AGENT: tuple[str, ...] = ("Mm-hm.", "Okay, I see.", "Right.", "Let me just pull that up.")
PHONE_CLOSERS: Mapping[str, tuple[str, ...]] = {
    "neg": ("I'm honestly fed up", "this is the last time I'm calling", "I just want it sorted"),
    "pos": ("thanks, you've been great", "lovely, cheers", "brilliant, thank you"),
    "neu": ("okay, that's fine", "right, okay", "alright, I'll wait then"),
}
# Speaker labels as the support system's export writes them before each chat or call turn (the app's sentence
# splitter keeps the customer's turns and drops the agent's and the notes by their labels).
SPEAKERS: Mapping[str, str] = {"customer": "Customer: ", "caller": "Caller: ", "agent": "Agent: "}
PHONE_NOTES: Mapping[str, tuple[str, ...]] = {
    "neg": ("Note: escalated to team lead.", "Note: customer very upset, refund requested.",
            "Note: ticket raised, callback in 24h."),
    "pos": ("Note: positive feedback logged.", "Note: no action needed."),
    "neu": ("Note: advised customer of next steps.", "Note: order status confirmed."),
}
SURVEY_FRAGMENTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "delivery": {"neg": ("faster delivery please", "sort out the couriers"), "pos": ("quick delivery",),
                 "neu": ("delivery ok",)},
    "price": {"neg": ("lower prices", "cheaper shipping"), "pos": ("good prices",), "neu": ("prices ok",)},
    "quality": {"neg": ("better quality control",), "pos": ("quality products",), "neu": ("quality fine",)},
    "support": {"neg": ("answer the phone", "more helpful staff"), "pos": ("lovely staff",),
                "neu": ("support ok",)},
    "returns": {"neg": ("easier returns",), "pos": ("easy returns",), "neu": ("returns fine",)},
    "app": {"neg": ("fix the app",), "pos": ("great app",), "neu": ("app fine",)},
    "product": {"neg": ("better products",), "pos": ("love the range",), "neu": ("range is ok",)},
}
CONNECTORS: tuple[str, ...] = (" but ", ", but ", ", although ", ", though ", "; however, ")
COURIERS: tuple[str, ...] = ("ParcelPoint", "SwiftShip", "the postal service", "RapidRoute", "the courier")
AGENTS: tuple[str, ...] = ("Priya", "Tom", "Aisha", "Marco", "Jen", "Olu", "Sam")
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Ben", "Chloe", "Dev", "Ella", "Farid", "Grace", "Hugo", "Isla", "Jamal", "Kate", "Liam", "Maya",
    "Noah", "Olivia", "Pavel", "Quinn", "Rosa", "Sanjay", "Tara", "Umar", "Vera", "Wes", "Xena", "Yusuf", "Zoe",
)

