# ruff: noqa: E501  (one dialogue turn per line: the scripts below are data, not code)
"""Build the bundled example transcripts in ``examples/`` from the hand-written scripts below.

The conversations are written by hand for the fictional provider Brightwave (home internet,
mobile, an app); this script only adds what is tedious to write by hand and must stay
consistent: millisecond offsets, leg and event bookkeeping, and the export formats (canonical
JSON/JSONL, plain text, WebVTT, CSV, Amazon Connect Contact Lens, Google CCAI Insights), plus
the deliberately broken inputs in ``examples/bad/``. Output is deterministic: rerunning it
reproduces the committed files byte for byte (``tests/test_examples_content.py`` checks).

Usage::

    .venv/bin/python scripts/build_examples.py            # rewrite examples/ (README.md is kept)
    .venv/bin/python scripts/build_examples.py --out DIR  # write elsewhere

Script language (one block per conversation)::

    == C-1101 call cust-1007 2026-11-16T09:02:14   # id, channel, customer, start (UTC)
    > ivr | > bot | > a-priya [via=callback]       # a new leg (agent, Wave Assistant, IVR)
    > queue Billing | > agent Technical Support    # a leg with no agent yet / an unnamed agent
    I: / B: / A: / C: text                         # IVR, bot, the leg's agent, the customer
    ~ queue 3m10s | ~ hold 1m40s | ~ pause 50s     # waits (queue before the leg it leads to)
    ~ transfer warm|cold                           # transfer to the next leg
    ~ end resolved | ~ disconnect customer|agent|system [reason]   # right after a hold: dropped on hold
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import shlex
import shutil
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcripts.model import (  # noqa: E402
    Channel,
    Conversation,
    Event,
    EventType,
    Leg,
    LegEnd,
    LegStart,
    Role,
    Turn,
)

# --------------------------------------------------------------------------------------
# Cast
# --------------------------------------------------------------------------------------

BILLING = "Billing"
TECH = "Technical Support"
RETENTION = "Accounts & Retention"

AGENTS: dict[str, tuple[str, str]] = {
    "a-sofia": ("Sofia", RETENTION),
    "a-jamal": ("Jamal", RETENTION),
    "a-maria": ("Maria", BILLING),
    "a-kevin": ("Kevin", BILLING),
    "a-priya": ("Priya", BILLING),
    "a-lee": ("Lee", TECH),
    "a-tomas": ("Tomas", TECH),
    "a-grace": ("Grace", TECH),
}
QUEUES = {BILLING: "billing-general", TECH: "tech-support", RETENTION: "accounts-retention"}
BOT_ID, BOT_NAME, BOT_QUEUE = "bot-wave", "Wave Assistant", "wave-assistant"
IVR_ID, IVR_NAME, IVR_QUEUE = "ivr-main", "Brightwave IVR", "ivr-main"

CUSTOMERS: dict[str, str] = {
    "cust-1007": "Dana Whitfield",
    "cust-2011": "Marcus Lindqvist",
    "cust-2012": "Keisha Morgan",
    "cust-2013": "Rachel Dunn",
    "cust-2014": "Owen Pritchard",
    "cust-2015": "Neil Sorensen",
    "cust-2016": "Fiona Gallagher",
    "cust-2017": "Harold Benson",
    "cust-2021": "Olivia Brandt",
    "cust-2022": "Gareth Pryce",
    "cust-2023": "Beatrice Nwosu",
    "cust-2024": "Tom Hargreaves",
    "cust-2025": "Lucy Fairweather",
    "cust-2026": "Ahmed Karimi",
    "cust-2027": "Ines Moreau",
    "cust-2031": "Patricia Ellison",
    "cust-2032": "Roberto Salas",
    "cust-2033": "Helen Marsh",
    "cust-2034": "Kwame Mensah",
    "cust-2035": "Chidi Okafor",
    "cust-2036": "Mei Tanaka",
    "cust-2037": "Samir Haddad",
    "cust-2041": "Sandra Kowalczyk",
    "cust-2043": "Freya Lindgren",
    "cust-2044": "Derek Holloway",
    "cust-2045": "Nora Fitzgerald",
    "cust-2046": "Oscar Bell",
    "cust-2047": "Aisha Rahman",
    "cust-2048": "Victor Ahn",
    "cust-2051": "Graham Whitaker",
    "cust-2052": "Yusuf Demir",
    "cust-2053": "Laura Petrovic",
    "cust-2054": "Beth Calloway",
    "cust-2055": "Colin Baxter",
    "cust-2056": "Joanna Wright",
    "cust-2057": "Marek Nowicki",
    "cust-2058": "Sinead Gallagher",
    "cust-2059": "Dennis Achebe",
    "cust-2060": "Lena Hoffmann",
    "cust-2061": "Frank Delaney",
    "cust-2071": "Rosa Jimenez",
    "cust-2072": "Hamid Farahani",
    "cust-2073": "Tariq Aziz",
    "cust-2074": "Gloria Mbeki",
    "cust-2075": "Mohammed Rashid",
    "cust-2076": "Eleanor Voss",
    "cust-2077": "Victoria Lane",
    "cust-2078": "Nadia Rossi",
    "cust-2081": "Peter Quinn",
    "cust-2082": "Isla Cameron",
    "cust-2083": "Ruth Abernathy",
    "cust-2084": "Alan Brooks",
    "cust-2085": "Kai Nakamura",
    "cust-2086": "Maeve O'Connor",
    "cust-2087": "Hugo Lambert",
    "cust-2088": "Wendy Park",
    "cust-2089": "Ben Okonkwo",
}

# --------------------------------------------------------------------------------------
# Where each conversation is written (everything not listed: canonical JSONL of its day)
# --------------------------------------------------------------------------------------

PLAIN_TEXT = {
    "C-1006": "2026-11-15/call-notes.txt",
    "C-1209": "2026-11-17/call-notes.txt",
    "C-1411": "2026-11-19/call-notes.txt",
    "C-1606": "2026-11-21/call-notes.txt",
    "C-1608": "2026-11-21/call-notes.txt",
}
WEBVTT = {
    "C-1307": "2026-11-18/C-1307.vtt",
    "C-1509": "2026-11-20/C-1509.vtt",
    "C-1604": "2026-11-21/C-1604.vtt",
}
CSV_TURNS = {
    "C-1511": "2026-11-20/chat-export.csv",
    "C-1605": "2026-11-21/chat-export.csv",
    "C-1609": "2026-11-21/chat-export.csv",
}
CONTACT_LENS = {  # script id -> Amazon Connect ContactId (the conversation id once read)
    "C-1506": "7c2e9d41-5b83-4f0a-a6d2-91e3f0b8c514",
    "C-1507": "b41f8e07-2c6d-4e19-8a3b-5d0c7e9f2a61",
}
CCAI_INSIGHTS = {"C-1208": "2026-11-17/ccai-insights/C-1208.json"}
JSON_ARRAY_DAYS = {"2026-11-15"}  # that day is one pretty-printed JSON array, not JSONL

LEG_EXTRA: dict[tuple[str, int], dict[str, Any]] = {
    ("C-1405", 0): {"callback_requested_at": "2026-11-19T09:52:00+00:00", "estimated_wait_s": 2400},
}

# --------------------------------------------------------------------------------------
# The conversations
# --------------------------------------------------------------------------------------

SCRIPTS = r"""
== C-1001 call cust-2011 2026-11-15T10:12:40
> a-sofia
A: Thank you for calling Brightwave, you're through to Sofia in Accounts and Retention. Who do I have the pleasure of speaking with?
C: Hi Sofia, it's Marcus Lindqvist. I need to cancel my home internet, I'm moving to Lisbon for work in January.
A: Lisbon, how exciting, congratulations on the new job, Marcus. I can absolutely help with that. Can I just confirm the address the service is at?
C: Forty-two Alder Road, flat three.
~ pause 25s
A: Thank you. I've got your account up. Your fibre contract actually runs until March, so I want to be upfront with you about the options before we do anything.
C: Right, I was worried about that. Is there a big fee?
A: Normally there would be an early exit charge, but moving abroad counts as a move we can't follow you to, so if you can send us a copy of the new lease or a letter from your employer, the exit fee is waived completely.
C: Oh, that's a relief. I can send the letter from my new employer.
A: Perfect, that's all we need. I'll email you a secure upload link in the next few minutes. When would you like the service to stop?
C: The flat is empty from the twentieth of December, so let's say the nineteenth.
~ pause 20s
A: Done, the nineteenth of December. I'll also send a prepaid box for the router so you don't have to pay to post it back. And if you're keeping your Brightwave mobile, the Travel Pass works in Portugal, so you won't be caught out in the first few weeks.
C: I hadn't even thought about the phone. That's really helpful, thank you.
A: My pleasure. Is there anything else I can help with today?
C: No, that's everything. You've made this much easier than I expected.
A: I'm glad to hear it. Good luck with the move, Marcus, and enjoy Lisbon!

== C-1002 chat cust-2012 2026-11-15T11:03:05
> a-maria
A: Hi, you're chatting with Maria from Brightwave Billing. How can I help?
C: I've been charged twice for my mobile bill this month. $48 went out on the 3rd and again on the 4th. This is the second time this year and I'm honestly fed up.
A: Please provide your account number and the last four digits of the card used for the payment.
C: BW-3390127. Card ends 5512.
A: Thank you. Please also confirm your date of birth for security.
C: 14 March 1988. Can you just tell me why this keeps happening?
A: I can see two payments of $48.00 on the 3rd and 4th of November. The second payment was a retry by the payment processor after a timeout. I have submitted a refund for $48.00 to the card ending 5512.
C: OK. How long will that take?
A: Refunds take 3 to 5 working days to appear on your statement. The reference is RF-20981.
C: And will it happen again next month?
A: The timeout issue has been reported to our payments team. Is there anything else I can help you with today?
C: I guess not. Thanks.
A: Thank you for contacting Brightwave. Have a nice day.

== C-1003 call cust-2013 2026-11-15T12:40:10
> a-kevin
A: Brightwave Billing, Kevin speaking.
C: Hi Kevin, my name's Rachel Dunn. I've been charged a $15 late fee and I don't think it's fair. I never got the bill this month.
A: Okay, account number?
C: It's BW-2208841.
~ pause 15s
A: Right. The bill was emailed on the 28th of October.
C: I didn't get any email. I checked my inbox and my spam folder.
A: That's not true, the system shows it was delivered. You should have set up autopay if you didn't want to miss payments.
C: Excuse me? I'm telling you I didn't get it. Maybe the email address you have is wrong.
A: It's r dot dunn eighty-eight at mailbox dot example. That's the address you gave us.
C: That's an old address! I changed it in the app in the summer.
A: Well, if you changed it in the app and it didn't save, that's on your side. You should have checked.
C: This is ridiculous. Can you at least take the late fee off?
A: There's nothing I can do about the late fee, it's applied automatically.
C: So I'm being punished because your system kept my old email. Unbelievable.
A: I've updated the email now. Anything else?
C: No. I'll be making a complaint.
~ disconnect customer

== C-1004 chat cust-2014 2026-11-15T14:22:30
> bot
B: Hi, I'm Wave Assistant, Brightwave's virtual assistant. What can I help you with today?
C: router has an orange light and no internet
B: I'm sorry your connection is down. I've checked your area and there are no known outages. Have you tried restarting your router by unplugging it for 30 seconds?
C: yes twice, still orange
B: Thanks for trying that. I'll connect you with a Technical Support specialist who can run a line test.
~ queue 2m40s
> a-grace
A: Hi, this is Grace from Technical Support. I've read what you told Wave Assistant: orange light and no internet even after two restarts. That's frustrating on a Sunday, let's get it sorted.
C: thanks. I work from home tomorrow so I really need it
A: Understood. I'm running a line test now, it takes about a minute.
~ pause 70s
A: The test shows the fibre signal reaching your home is fine, so the fault is between the wall socket and the router. Could you check the green cable from the white wall box into the back of the router? Is it clicked firmly in at both ends?
C: oh. the cable was half out at the router end. the cat was behind there earlier
C: ok it's white now and the wifi is back!!
A: Brilliant! Cats and cables, a classic. Is everything connecting normally? Can you load a web page?
C: yes all good. thank you Grace
A: You're welcome, Owen. If it drops again, reply to this chat and it'll come straight back to our team. Have a lovely evening.

== C-1005 call cust-2015 2026-11-15T15:05:00
> a-tomas
A: Technical Support, you're speaking with Tomas. Can I start with your account number?
C: Sure, it's BW-5120378. My wifi keeps dropping in the evenings, usually between seven and ten.
A: Okay. And the name on the account?
C: Neil Sorensen.
A: Thanks Neil. So when the wifi drops, does the router restart, or do the devices just lose the wifi?
C: The lights stay on, but the laptop and the TV both say no internet for a minute or two. Then it comes back.
A: Right. Let me pull up the router. Sorry, can you give me the account number again?
C: BW-5120378.
~ pause 30s
A: Thanks. I can see your router is on wifi channel 6, and there are a lot of networks around you on the same channel in the evening. That usually means interference rather than a fault.
C: That makes sense, it's a block of flats.
A: I'm moving you to a less busy channel and switching on automatic channel selection, so it'll move by itself if it gets crowded. The router will restart, it takes about two minutes.
~ pause 2m
C: Okay, it's back up.
A: Great. Give it a couple of evenings. If it still drops, call us and we can send a mesh extender. I've put a note on the account.
C: Brilliant, thanks Tomas.
A: No problem, have a good evening.

== C-1006 call cust-2016 2026-11-15T16:30:00
> a-priya
A: Thanks for calling Brightwave Billing, this is Priya.
C: Hi Priya, it's Fiona Gallagher. I've just got back from Spain and there's $86 of roaming charges on my phone. I thought roaming was included?
A: Let me take a look. Can I have your mobile number?
C: 0770 555 0182.
~ pause 30s
A: Thank you. So you're on Wave 20GB, which is a domestic-only SOC. EU roaming on that tariff needs the RBO, the roaming bolt-on, and there's no RBO on the line, so the usage rated at PAYG rates.
C: Sorry, I didn't follow any of that.
A: Sorry! In plain terms: your plan doesn't include roaming, so you needed to add the Travel Pass before you went. Without it, data abroad is charged per megabyte.
C: Nobody told me that when I signed up. I just assumed.
~ pause 20s
A: I understand. As a one-off I can re-rate the usage as if you'd had the Travel Pass: that's $10 a day for five days, so $50 instead of $86. I'll credit the $36 difference.
C: That's fair. Thank you.
A: And I'd recommend adding the Travel Pass in the app before your next trip, it only charges on the days you actually use data abroad.
C: Good to know. Thanks for your help.
A: You're welcome, enjoy the rest of your Sunday.

== C-1007 call cust-2017 2026-11-15T17:45:00
> a-jamal
A: Accounts and Retention, Jamal speaking, how can I help?
C: Hi Jamal, Harold Benson. I've been with Brightwave six years and I've just seen you're offering new customers Fibre 500 for $40 a month. I'm paying $62 for the same thing.
A: Yes, that's the current new customer offer.
C: So can I have it? I've been loyal for six years.
A: Unfortunately that offer is for new customers only. There's nothing I can do about that.
C: Nothing at all? No loyalty discount, nothing?
A: I'm afraid not. The price on your plan is set until your contract renews.
C: And when is that?
~ pause 15s
A: Your contract ended in August, so you're on a rolling monthly plan now.
C: So I'm out of contract and you still can't offer me anything? Then I might as well leave and come back as a new customer.
A: That's up to you. I can't change the price.
C: Right. I'll think about it. Bye.
~ disconnect customer

== C-1101 call cust-1007 2026-11-16T09:02:14
> ivr
I: Thank you for calling Brightwave. Calls may be recorded for training and quality. In a few words, please tell me why you're calling today.
C: My internet is slower than what I'm paying for.
I: Thanks. It sounds like you have a question about your bill. Please hold while I connect you to our Billing team.
~ queue 3m12s
> a-priya
A: Good morning, Brightwave Billing, you're speaking with Priya. Can I have your name and account number, please?
C: Hi, it's Dana Whitfield, account BW-4471902. So, at the start of the month I upgraded from Fibre 100 to Fibre 500. I'm being charged for 500 but my speed hasn't changed at all. Every speed test says about ninety megabits.
A: Thanks, Dana. Do you mind if I pop you on hold for a minute while I check the account?
C: Sure.
~ hold 1m40s
A: Thanks for holding. So the SOC on the account is FIB500, effective the first of November, and the MRC is $65, which matches the new plan. From a billing perspective everything is correct.
C: Okay, but I'm not getting the speed.
A: Speed is a technical issue, so that's one for our Technical Support team. I'll transfer you over to them now.
C: Can you tell them what's going on, so I don't have to start again?
A: They'll be able to see the account. Transferring you now.
~ transfer cold
~ queue 6m45s
> a-tomas
A: Technical Support, Tomas speaking. Can I start with your account number?
C: BW-4471902. As I just explained to your colleague in billing, I moved up to Fibre 500 two weeks ago, I'm paying for it, and I'm still getting the same ninety-odd megabits I had on the old plan.
A: Okay, let me run a line test. Can you confirm the account number for me?
C: I just gave it to you. BW-4471902.
A: Sorry, thanks.
~ pause 50s
A: So the line itself is healthy, no faults. It's synchronising at 100 megabits, which is what the line profile is set to. The profile gets set from the plan on the billing system, so if the profile says 100, billing hasn't applied the upgrade properly.
C: Billing just told me the plan is correct and that it's a technical problem.
A: I understand, but there's nothing on the line I can change from here. It has to be corrected by billing. I'll put you back through to them.
C: You're joking. I've already been on this call for twenty minutes.
A: Sorry about that. Transferring you now.
~ transfer cold
~ queue 4m05s
> queue Billing
~ disconnect system Call dropped in the Billing queue while being transferred back from Technical Support

== C-1102 call cust-1007 2026-11-16T09:31:50
> ivr
I: Thank you for calling Brightwave. In a few words, please tell me why you're calling today.
C: I was cut off. I need billing.
I: Thanks. Connecting you to our Billing team.
~ queue 2m30s
> a-maria
A: Billing, Maria speaking. Can I have the account holder's full name and the first line of the address?
C: Dana Whitfield, 17 Kestrel Lane. I was just cut off while I was being transferred back to you. This is the third person I'm telling: I pay for five hundred megabits and I get under a hundred.
A: Thank you. Can you also confirm the account number?
C: BW-4471902.
A: I can see Fibre 500 at $65 a month from the first of November. The bill is correct. For speed issues you need to speak to Technical Support.
C: Technical Support sent me to you! They said the line is set to 100 because of billing.
A: The billing system shows Fibre 500. I will transfer you to Technical Support and they can raise a ticket.
C: Please, just make sure they know the story this time.
~ transfer cold
~ queue 3m20s
> a-lee
A: Technical Support, this is Lee. Who am I talking to, and what's going on with the connection?
C: Dana Whitfield. For the fourth time today: my plan is Fibre 500, the bill says Fibre 500, and the connection gives me the speed of the old 100 plan. Billing says it's you, you say it's billing.
A: That sounds like a really annoying morning. Let me see what I can do. I'm looking at the line now.
~ pause 40s
A: Right, the line is in good health but it's locked at 100. I can't change the profile myself, but I can raise a ticket with our network team to check why the profile didn't follow your upgrade. The reference is T-55810.
C: And how long will that take?
A: Usually 24 to 48 hours. They'll update the ticket and you'll get a text when it's done.
C: Fine. Thank you, Lee. At least someone wrote it down.
A: You're welcome, Dana. Sorry again about the runaround.

== C-1103 chat cust-1007 2026-11-16T20:25:10
> bot
B: Hi, I'm Wave Assistant, Brightwave's virtual assistant. What can I help you with?
C: Internet speed is much lower than my plan since I upgraded
B: Sorry to hear your internet is slow! Here are some things to try: 1) Restart your router by unplugging it for 30 seconds. 2) Use a cable instead of wifi for speed tests. 3) Close apps that use a lot of data.
C: I have done all of that. The line is set to the wrong speed. I need a person
B: I can help with: restarting your router, checking for outages, or running a speed test. Which would you like?
C: None of those. Human agent please
B: Our chat specialists are available from 8am to 8pm. You can leave a message, or come back during opening hours.
C: Unbelievable. Ticket T-55810 is already open, can you at least tell me the status
B: Sorry, I didn't understand that. You can ask me about bills, outages, or your router.
~ disconnect customer

== C-1104 call cust-2021 2026-11-16T10:15:00
> a-lee
A: Brightwave Technical Support, Lee speaking. How can I help?
C: Hi Lee, I got one of your mesh extenders in the post on Friday and I can't get it to pair with the router.
A: No problem, they can be a bit fussy the first time. Who am I speaking with?
C: Olivia Brandt.
A: Thanks Olivia. Where's the extender plugged in at the moment?
C: Upstairs on the landing, right above the router more or less.
A: That's a good spot. Is the light on the front flashing blue or solid white?
C: Flashing blue.
A: Okay, that means it's waiting to pair. Press the WPS button on the back of the router, the one with two arrows, and then within two minutes press the button on the side of the extender.
C: Okay... done both.
~ pause 45s
C: It's gone solid white now.
A: Perfect, that means it's connected. Can you check the signal in the room that was giving you trouble?
C: The back bedroom, yes, hang on. Four bars on my phone now, it used to be one.
A: Great result. The extender uses the same wifi name and password, so your devices will switch over on their own.
C: Lovely. Thanks for your help.
A: Any time. Have a good day, Olivia.

== C-1105 call cust-2022 2026-11-16T11:20:00
> a-kevin
A: Billing, Kevin.
C: Hi, my name's Gareth Pryce. There's $27 on my mobile bill for something called premium messages and I've never signed up to anything like that.
A: Premium messages are charged when you subscribe to a third-party service. You must have signed up.
C: I haven't. I don't even know what it is.
~ pause 10s
A: You're wrong about that. The system shows a subscription started on the 2nd of November.
C: Then someone signed me up without asking. I want it cancelled and the money back.
A: You should have read the terms when you entered your number on whatever website it was. Third-party charges aren't refundable.
C: I didn't enter my number anywhere! Why are you calling me a liar?
A: Calm down, sir. I'm just telling you what the system says.
C: Don't tell me to calm down. I'm being charged for something I never asked for.
A: I can block premium messages on the line so it doesn't happen again. The refund you'd need to take up with the third party.
C: How am I supposed to do that? I don't even know who they are.
A: The sender's short code is on the bill. That's really all I can tell you.
C: This is awful service. I'm going to complain.
~ disconnect customer

== C-1106 call cust-2023 2026-11-16T13:05:00
> a-grace
A: Hi, you're through to Grace in Technical Support. What can I do for you today?
C: Hi Grace, I'm Beatrice Nwosu. I've got a new phone and I can't get my Brightwave email working on it. It keeps saying the password is wrong, but it works on the website.
A: Oh, that's maddening when you know the password is right. Which phone is it?
C: It's an Android, a new Pixel.
A: Okay.
~ hold 3m20s
A: Thanks for waiting. I've checked your mailbox, and the account is fine. The issue is that phone mail apps need an app password rather than your normal one, since we turned on two-step sign-in last month.
C: Oh, I wondered where you'd gone. Nobody told me about app passwords.
A: Sorry about that. You can make one on the website under Security, then App passwords. Call it Pixel and copy the code it gives you into the phone instead of your usual password.
C: Hang on, doing it now.
~ pause 90s
C: It's syncing! I can see my inbox.
A: Wonderful. That code only works for that phone, so if you add a tablet later, make another one the same way.
C: Brilliant, thank you for being so patient.
A: My pleasure, Beatrice. Enjoy the new phone.

== C-1107 call cust-2024 2026-11-16T14:10:00
> a-sofia
A: Brightwave Accounts and Retention, you're speaking with Sofia. How can I help?
C: Hi Sofia, Tom Hargreaves. We're moving house on the 5th of December and I want to take the internet with us. Last time I moved it took three weeks to get connected and I've got two kids doing exams, so I'm a bit nervous about it.
A: I completely understand, Tom. Three weeks without internet during exams would be stressful for anyone. Let's make sure that doesn't happen this time. What's the new address?
C: 8 Mill Street, Oakbridge.
~ pause 30s
A: Thank you. Good news: 8 Mill Street already has our fibre connected to the building, so it's a switch-over rather than a new install. I can book it for the 5th itself.
C: Really? That's a relief.
~ pause 40s
A: It is. I'll book the switch for the morning of the 5th, and your current address will stay live until the end of the 4th, so there's no gap. And just in case anything goes wrong on the day, I'll add a 4G backup dongle to the order at no charge, so the kids can keep studying.
C: That's brilliant, thank you. Does the price change?
A: No, same plan, same price. You'll get a text confirming the appointment, and another one the day before.
C: Perfect. Thank you so much, Sofia.
A: You're welcome, Tom. Good luck with the move, and to the kids with their exams.

== C-1108 chat cust-2025 2026-11-16T15:40:00
> a-jamal
A: Hello, you're chatting with Jamal from Accounts & Retention. How can I help?
C: Hi. I lost my job last month and I need to bring my bills down. Can I move from Wave Unlimited to a cheaper mobile plan?
A: Let me check your contract.
~ pause 40s
A: You're in a 24 month contract until June next year. Downgrades aren't allowed during the minimum term.
C: Is there really no way? Even a smaller plan for a few months would help.
A: There's nothing I can do until the contract ends, I'm afraid.
C: ok. That's disappointing. I'll just have to manage
A: Is there anything else?
C: no
~ disconnect customer

== C-1109 call cust-2026 2026-11-16T16:20:00
> a-maria
A: Billing, this is Maria. How can I help?
C: Hi, I'm Ahmed Karimi. I'm really worried. My bill is $140 this month because of the new phone instalment and I just can't pay it all before the due date. I've never missed a payment before.
A: I'll need to verify your account. Can you give me the account number and your postcode?
C: BW-6612093, OB4 7TR.
~ pause 25s
A: Thank you. You can set up a payment arrangement for up to two instalments. The first must be at least 50% of the balance.
C: Okay, so $70 now and $70 later?
A: $70 by the due date on the 22nd and $70 by the 6th of December. Do you want to set that up?
C: Yes please. Will it affect my credit?
A: Payment arrangements are not reported to credit agencies if the payments are made on time.
C: Okay. That's good to know, thanks.
~ pause 30s
A: The arrangement is set up. You will receive a confirmation by email. Is there anything else?
C: No, that's it.
A: Thank you for calling Brightwave.

== C-1110 call cust-2027 2026-11-16T17:35:00
> a-tomas
A: Technical Support, Tomas speaking. What's your account number, please?
C: Hi, it's BW-7781540. My mobile data has been really slow for a week, pages take forever to load.
A: Okay. And whereabouts are you when it's slow?
C: Mostly at home, in the town centre, near the station.
A: Let me check the mast near you.
~ pause 35s
A: There's planned work on the mast near the station this week, so you're being served by one further away. Sorry, what was your account number again?
C: BW-7781540. So it's not my phone then?
A: No, your phone's fine. The work finishes on Thursday. In the meantime, wifi calling is on for your line, so calls will still work over your home wifi.
C: Okay, so I just wait until Thursday?
A: Yes. If it's still slow on Friday, call us and we'll look deeper.
C: Okay, thanks.
A: You're welcome. Bye now.

== C-1201 chat cust-1007 2026-11-17T10:15:30
> bot
B: Hi, I'm Wave Assistant. What can I help you with today?
C: Ticket T-55810. I need to talk to a person about my broadband speed
B: I can see you have an open ticket. I'll connect you with the Technical Support team.
~ queue 4m10s
> a-grace
A: Hi Dana, this is Grace from Technical Support. I can see your ticket, thank you for your patience.
C: Hi Grace. I have explained this to three different people yesterday, so I'll keep it short: Fibre 500 plan, getting 95 Mbps, ticket T-55810.
A: That's a lot of explaining, I'm sorry you've had to repeat it so many times. Let me read the ticket notes properly so you don't have to go through it again.
~ pause 1m30s
A: The network team closed the ticket this morning. Their note says the line is fine and the speed profile follows the plan code on the account, and they've referred it back to Billing.
C: Of course they have.
A: I know, it's not what you wanted to hear. From what I can see, the plan code the network reads is still the old one, even though your bill shows the new one. That needs Billing to fix, so I'm going to transfer this chat to them and add a note with everything, so you don't need to repeat yourself.
C: OK. Please make sure the note goes through.
~ transfer cold
~ queue 7m50s
> a-priya
A: Hello, you're through to Billing, Priya here. How can I help today?
C: Did the note not come through? For the fifth time: I pay for Fibre 500 and the line runs at 100. Technical Support say it's the plan code.
A: Sorry, I can't see a note on the chat. Let me check the account.
~ pause 1m10s
A: The account is on the FIB500 SOC with the $65 MRC applied from the first, so from a billing perspective it's correct. The provisioning profile is a network thing.
C: I have no idea what any of that means.
A: Sorry, I mean your plan and price are set up correctly on the bill. The speed setting on the line is managed by the network team. I'll raise a provisioning case so someone can compare the two.
C: That's exactly what they said about you. Who actually fixes this?
A: The provisioning case goes to the back office team, who can see both systems. I've marked it as a repeat contact.
C: Fine. I'm not holding my breath.
~ disconnect customer

== C-1202 call cust-1007 2026-11-17T16:05:00
> ivr
I: Thank you for calling Brightwave. In a few words, please tell me why you're calling today.
C: Broadband speed problem.
I: Thanks. Connecting you to Technical Support.
~ queue 5m30s
> a-tomas
A: Technical Support, Tomas speaking. Can I have your account number?
C: BW-4471902. I'm calling about my broadband speed, again. It's been two days.
A: Okay, and what's happening with the speed?
C: It's all on the account. Fibre 500, running at 100, a ticket, a provisioning case, the lot. I've said it so many times I could recite it in my sleep.
A: Let me have a look. What's the account number again?
C: I literally just gave it to you. B W 4 4 7 1 9 0 2.
A: Sorry. Okay, I see the provisioning case. It's with the Billing back office, so there's nothing technical I can do from here. The plan code change has to come from their side.
C: Yesterday Billing told me it was technical and Technical told me it was Billing. Today you're telling me it's Billing again.
A: I'll transfer you to Billing so they can chase the case.
~ transfer cold
~ queue 12m15s
> a-maria
A: Billing, Maria speaking. Can I take the account number and the name on the account?
C: Dana Whitfield, BW-4471902. Look, I've been passed back and forth between you and Technical Support for two days. I've told the same story to six people.
A: Thank you. I can see a provisioning case opened this morning. The standard turnaround for provisioning cases is three to five working days.
C: Five days? After all this? I'm paying for a service I'm not getting.
A: Once the case is resolved, any adjustment will be reviewed by the back office team.
C: You know what, I want to cancel.
A: Cancellations are handled by our Accounts and Retention team. Their lines open at 8am tomorrow.
C: Great. Thanks for nothing.
~ disconnect customer

== C-1203 call cust-2031 2026-11-17T09:30:00
> a-kevin
A: Billing, Kevin speaking.
C: Hi Kevin, Patricia Ellison. I signed up last month and the salesperson promised me the first three months at half price. My first bill is the full $60.
A: Let me see. No, there's no discount on the account.
C: But I was promised it. The salesman in the shop wrote it on the leaflet.
A: Honestly, the sales team messed this up, not me. They promise things that aren't in the system all the time.
C: Well, I don't really care whose fault it is, I'd just like the price I was promised.
A: As I already told you, there's no discount on the account. I can't add promotions that sales didn't put on.
C: Can you speak to the sales team then?
A: That's not how it works. You'd need to go back to the shop.
C: The shop is forty minutes away! Can't you just email them?
A: There's nothing I can do from billing. Go back to the shop with the leaflet.
C: This is really poor. I've been a customer for a month and I already regret it.
A: Is there anything else?
C: No.
~ disconnect customer

== C-1204 call cust-2032 2026-11-17T11:10:00
> a-sofia
A: Good morning, you're through to Sofia in Accounts and Retention. How can I help?
C: I want to cancel. Right now. I took a day off work on Thursday for your installation and nobody turned up. I rebooked for Saturday, sent my daughter to her grandmother's so I'd be in, and again nobody came. Nobody called. I've had enough of Brightwave.
A: Oh no. You took a day off work and rearranged your family's weekend, and twice nobody came or even called you. I'd be furious too, and you have every right to be.
C: I am furious. That's two days of my life wasted.
A: It is, and I'm really sorry. That's our failure, not a misunderstanding on your side. Can I have your name so I can look at what happened?
C: Roberto Salas.
~ pause 45s
A: Thank you, Roberto. I can see both appointments. On Thursday the engineer was sent to an emergency and the system should have texted you, and it didn't. On Saturday the booking was never confirmed with the contractor. So you were let down twice, by us.
C: So it's just a mess on your side.
A: It is. If I'm hearing you right, what matters most now is getting connected without losing another day, and not having to chase us. Is that fair?
C: Yes. That's exactly it.
A: Okay. Here's what I can do right now. I have an engineer slot tomorrow morning between 8 and 10, and I'll confirm it with the contractor while you're on the line, so it's real. I'm also crediting you $75 for the two missed appointments, and your first month will be free.
C: Okay. That's more like it.
A: Give me one moment to confirm the slot. Is it alright if I put you on a short hold?
C: Go ahead.
~ hold 1m50s
A: Thank you for waiting, Roberto. It's confirmed: Marco from our install team, tomorrow between 8 and 10. He'll call you 30 minutes before he arrives. I've also put my direct extension on the booking, so if anything changes, you call me, not the main line.
C: Thank you, Sofia. Honestly, I was ready to walk away, but thank you. You've been great.
A: I'm glad I could put it right. I'm sorry again about Thursday and Saturday, and I hope tomorrow goes smoothly.

== C-1205 chat cust-2033 2026-11-17T13:20:00
> a-priya
A: Hi, you're chatting with Priya in Billing. What can I help with?
C: Hi, my bill is $97 this month but my plan is $55. What's going on?
A: Let me look. Could you confirm your account number?
C: BW-2856610
A: Thanks. You changed plans on the 12th of October, so this bill has a pro-rata charge for the part-month on the new MRC, plus an NRC for the plan change, plus the usual MRC in advance.
C: I'm sorry, MRC? NRC?
A: Sorry, jargon! MRC is the monthly charge and NRC is a one-off charge. So: $17 for the rest of October on the new plan, a $25 one-off plan change fee, and $55 for November.
C: A $25 fee? Nobody mentioned a fee when I changed plan.
A: I can see the notes from that call, and they don't mention the fee being explained, so I'm going to remove it. That brings the bill down to $72, and from next month it will just be $55.
C: OK, that's fair. Thank you
A: You're welcome, Helen! The corrected bill will be in your account within 24 hours.

== C-1206 call cust-2034 2026-11-17T14:30:00
> a-jamal
A: Accounts and Retention, Jamal speaking.
C: Hi Jamal, my name's Kwame Mensah. I called to cancel because my internet has been cutting out every night for two weeks, but honestly, if someone could just fix it I'd stay.
A: Okay. Cut-outs are a technical issue, so I'll send you through to Technical Support.
C: Can you explain it to them? I've already been through all of this with the bot.
A: They'll pick it up. Putting you through now.
~ transfer cold
~ queue 9m40s
> a-tomas
A: Technical Support, Tomas speaking. Can I get your account number and what the problem is?
C: Seriously? I've just explained all this. Account BW-9034417. My internet drops out every night, usually around eleven, for about ten minutes, and it's been two weeks.
A: Sorry, it came through as a general transfer with no notes. Let me look at the router logs.
~ pause 55s
A: I can see the router losing sync at about 11pm most nights. That pattern usually means it's overheating or the power supply is failing. Is the router in a cupboard?
C: It's in the TV cabinet, yes. It does get warm.
A: That'll be it. I'll send a replacement router with a new power supply, and if you can put it somewhere with some air around it, the drops should stop. What's your account number again so I can order it?
C: BW-9034417.
A: Ordered, it'll arrive on Thursday.
C: Thanks. I wish I'd been put straight through to you in the first place.
A: Sorry about that. Have a good evening.

== C-1207 call cust-2035 2026-11-17T15:45:00
> a-priya
A: Brightwave Billing, you're speaking with Priya.
C: Hi Priya, it's Chidi Okafor. I've got a bit of a mixed problem. I returned my old router last month and I'm being charged $120 for not returning it. And on top of that, the new router you sent keeps disconnecting.
A: Sorry, Mr Okafor, that's two headaches at once. Let's take the charge first. Did you get a receipt when you posted the old router?
C: Yes, I've got the tracking number. It was delivered to your warehouse on the 20th of October.
A: Great, could you read it out?
C: BW-RTN-448201.
A: Thank you. I can see the parcel arrived, it just wasn't scanned against your account. I've removed the $120 non-return charge; you'll see the credit on your next bill.
C: Great, thank you.
A: For the disconnections, I'd like to pass you to Technical Support, and I'll stay on the line and explain it to them so you don't have to repeat anything. Is that okay?
C: Yes please, that would be great.
~ hold 1m20s
A: Thanks for holding. I've got Lee from Technical Support on the line. Lee, this is Mr Chidi Okafor. His new router has been disconnecting several times a day since it arrived in October. The billing side is sorted, so it's just the router.
~ transfer warm
> a-lee
A: Thanks, Priya. Hi Mr Okafor, I'm Lee. Sorry the new router has been playing up. Priya's filled me in, so no need to go over it again. Can I just ask: when it disconnects, do the lights on the front go off, or does only the wifi drop?
C: Thanks. The white light goes orange for a minute and then comes back.
A: That tells me it's losing the fibre signal, not the wifi. Let me check the line from here.
~ pause 45s
A: I can see 14 drops in the last three days, all on the connection between the wall box and the router. The most common cause is the fibre cable being bent too tightly. Is the thin cable from the white box to the router pulled tight or squashed behind anything?
C: It's wedged behind the bookshelf, actually.
A: Could you ease the bookshelf out a little so the cable hangs in a loose curve? No sharp bends.
C: Okay... done.
A: Brilliant. I'll monitor the line for the next 48 hours. If there's another drop, I'll book an engineer and you won't need to call us. I've added that to your account.
C: That's great service, thank you both.
A: You're welcome, Mr Okafor. Have a good afternoon.

== C-1208 chat cust-2036 2026-11-17T18:20:00
> bot
B: Hi, I'm Wave Assistant. What can I help you with today?
C: I'm trying to activate an eSIM on my new phone and it says "unable to complete cellular plan change"
B: I can help with eSIMs! To activate your eSIM, open the Brightwave app, tap Mobile, then Set up eSIM and scan the QR code.
C: That's what I did. It gives me that error every time
B: Sorry, I didn't quite get that. Did you want to set up an eSIM, or order a physical SIM?
C: set up an eSIM. It's not working
B: To activate your eSIM, open the Brightwave app, tap Mobile, then Set up eSIM and scan the QR code.
C: Can I talk to a real person please
B: Of course. I'm passing you to a Technical Support specialist now. They'll be able to see this conversation.
~ queue 3m05s
> a-grace
A: Hi Mei, this is Grace from Technical Support. I've read your chat with Wave Assistant, sorry it went round in circles. You're getting "unable to complete cellular plan change" when you scan the eSIM code, is that right?
C: Yes! Thank you. I've tried like 5 times
A: That error usually means the QR code has already been used once, and each code only works once, even when the install fails. So the retries were never going to work; it's nothing you did wrong.
C: Oh. So what now
A: I'm issuing you a fresh eSIM code right now. You'll get an email in a minute. Before you scan it, make sure you're on wifi, and don't delete anything on the phone if it fails.
~ pause 2m
C: Got the email. Scanning...
C: It worked!! I have signal
A: Fantastic! Try a quick call or text to check everything's working.
C: Just texted my sister, all good. Thanks Grace, the bot was driving me mad
A: I'm glad we got there, and I'll pass the feedback about the bot on. Enjoy the new phone, Mei!

== C-1209 call cust-2037 2026-11-17T16:50:00
> a-lee
A: Technical Support, Lee speaking. How can I help?
C: Hi Lee, Samir Haddad here. I was told on Friday a replacement router would be sent, but it hasn't arrived and I've had no tracking information.
A: Let me take a look, Samir. Can I put you on hold for a moment while I check the order?
C: Sure.
~ hold 1m30s
A: Thanks for holding. The order was created on Friday but it got stuck waiting for stock at the warehouse. It should have gone out on Saturday.
C: So when will I get it?
A: The stock arrived this morning, so I've moved it to next-day delivery. You'll have it tomorrow, and you'll get a text with tracking tonight.
C: Okay, that's good. Do I need to be in?
A: No signature needed, the courier can leave it in a safe place. The old one goes back in the same box with the prepaid label.
C: Perfect. Thanks for sorting it.
A: No problem. Have a good evening.

== C-1301 call cust-1007 2026-11-18T08:35:20
> ivr
I: Thank you for calling Brightwave. In a few words, please tell me why you're calling today.
C: I want to cancel my contract.
I: I'm sorry to hear that. Connecting you to our Accounts and Retention team.
~ queue 1m05s
> a-sofia
A: Good morning, you're through to Sofia in Accounts and Retention. Can I take your name?
C: Dana Whitfield. I want to cancel.
A: Thank you, Dana. I have your account open, and before anything else I want to say this: I can see you've contacted us five times since Monday morning about your speed, you've been passed between Billing and Technical Support, and you were cut off once in the middle of all that. I'm really sorry. You shouldn't have had to explain it again, and you won't have to with me. I've read the notes.
C: Okay. Well. Thank you. I was fully ready to cancel this morning.
A: That's completely understandable after the week you've had. If you still want to cancel at the end of this call, I'll do it for you with no exit fee. But I think I can see what's gone wrong, so can I have ten minutes to try to fix it first?
C: Okay. Ten minutes.
~ pause 50s
A: Thank you. When your upgrade went through on the first, the bill was changed to Fibre 500, but the order that tells the network to speed up your line was never sent. That's why Billing saw the right plan and the network saw the old one. That's our mistake, not yours, and it's why everyone kept pointing at each other.
C: So it was never anything to do with my line.
A: No. I'm sending the upgrade order to the network myself right now, and I'll stay on the line with you while it goes through. It normally takes a couple of minutes.
~ pause 3m
A: It's gone through. Could you restart your router for me? Just switch it off and on at the back.
C: Okay, doing it now.
~ pause 2m10s
C: It's back. I'm running a speed test... four hundred and eighty-seven. Oh my goodness. Four hundred and eighty-seven!
A: That's what you should have had all along. I'm also crediting you $31, which is the difference between the two plans for November, and I've put my name and direct extension on your account, so if anything isn't right, you come straight to me.
C: Thank you, Sofia. Honestly, you've made my week. I don't want to cancel anymore.
A: I'm so glad to hear that, Dana. Thank you for giving us the chance to put it right. Enjoy the fast internet.

== C-1302 call cust-2041 2026-11-18T10:30:00
> a-kevin
A: Billing, Kevin speaking.
C: Hi Kevin, Sandra Kowalczyk. I cancelled my landline add-on in September and I'm still being charged $12 a month for it. That's three months now.
A: Account number?
C: BW-1180265.
~ pause 20s
A: I can see the add-on is still active. There's no cancellation on the account.
C: I cancelled it by phone on the 3rd of September. The man I spoke to said it was done.
A: Well, there's no record of that call, so as far as I'm concerned it wasn't cancelled.
C: I'm not making it up! I even wrote down his name, it was Daniel.
A: Calm down. As I already told you, there's no record. I can cancel it from today.
C: And the $36 I've paid for nothing?
A: There's nothing I can do about past charges without a record of the cancellation.
C: This is unbelievable. I want to speak to a supervisor.
A: A supervisor will tell you the same thing.
C: I'd still like to speak to one, please.
A: Fine. I'll put in a callback request, they'll call within 48 hours.
C: Thank you. And cancel the add-on today, at least.
A: It's cancelled.

== C-1303 call cust-2022 2026-11-18T11:45:00
> a-priya
A: Brightwave Billing, Priya speaking, how can I help?
C: Hi Priya. My name's Gareth Pryce. I called on Monday about $27 of premium message charges I never signed up for. The person I spoke to basically called me a liar, and I got nowhere.
A: I'm sorry, Gareth, that shouldn't have happened. Let me look at the account.
~ pause 40s
A: I can see the premium SMS subscription. The short code belongs to a quiz service, and we've had a lot of complaints about it this month, customers being signed up without confirming anything.
C: So it's not just me.
A: No, definitely not. I've refunded the $27 as a goodwill credit, and I've reported the short code to our fraud team so they can chase the provider. The premium message block is on your line as well, so it can't happen again.
C: That's all I wanted on Monday. Thank you.
A: You're welcome. I'm sorry it took two calls.

== C-1304 chat cust-2043 2026-11-18T09:50:00
> a-grace
A: Hi, you're chatting with Grace from Technical Support. How can I help?
C: Hi! I'm in Canada on a work trip and my mobile data isn't working at all. Calls and texts are fine. I bought the Travel Pass in the app yesterday
A: Oh no, being abroad without data is no fun, especially on a work trip. Let's get you online. Can you confirm the mobile number?
C: 0770 555 0419
A: Thank you. The Travel Pass is active on your line, so that part is fine. It's usually a phone setting: could you check Settings > Mobile network and make sure Data roaming is switched on?
C: It was off! Just turned it on
C: Still nothing though
A: Give it a minute. Could you also switch airplane mode on for ten seconds and then off again? That makes the phone register with the local network again.
~ pause 1m30s
C: YES. 4G is back. Thank you!!
A: Perfect! One tip: the Travel Pass charges $10 only on days you use data, so if you want to avoid a charge on a day, turn data roaming off again.
C: Great to know. Thanks so much Grace
A: You're welcome, Freya. Have a good trip!

== C-1305 call cust-2044 2026-11-18T13:15:00
> a-tomas
A: Technical Support, Tomas speaking. Can I get your account number?
C: Yeah, it's BW-3365081. My voicemail stopped working after I switched phones. People say it just rings out.
A: Okay. Is the new phone on the same number?
C: Yes, same number, I moved the SIM across.
A: Let me check the voicemail settings.
~ pause 30s
A: Can I take that account number once more?
C: BW-3365081. Same as a minute ago.
A: Thanks. I can see call forwarding on no answer isn't set on the new phone. Phones sometimes reset it when you move the SIM. I'm sending the settings to your phone now; you'll get a text, just tap Accept.
C: Got it. Accepted.
A: Try it: call your own number from another phone and let it ring.
~ pause 40s
C: It's gone to voicemail. Great.
A: Sorted then. Anything else I can help with?
C: No, that's it, cheers.

== C-1306 call cust-2045 2026-11-18T14:40:00
> a-jamal
A: Accounts and Retention, you're speaking with Jamal.
C: Hi Jamal, Nora Fitzgerald. I moved house in October and there's no Brightwave mobile signal at my new place. I can't make calls at home at all. I'd like to end my mobile contract without the early exit fee.
A: Let me see. Your contract has seven months left, so the early exit fee would be $140.
C: But I can't use the service. That's why I want to leave.
A: I understand, but moving house isn't covered under the contract terms. There's nothing I can do about the fee.
C: So I have to pay for seven months of a phone that doesn't work where I live?
A: Those are the terms, I'm afraid.
C: That's really unfair. I'll have to think about what to do.
A: Okay. Anything else today?
C: No.
~ disconnect customer

== C-1307 call cust-2046 2026-11-18T15:25:00
> a-priya
A: Thanks for calling Brightwave Billing, this is Priya.
C: Hi Priya, my name's Oscar Bell. I went to Switzerland for a week, I bought the Travel Pass before I went, but I've still got $64 of data charges.
A: That's annoying when you did the right thing beforehand. Let me check the usage.
~ pause 35s
A: Ah, I see it. Switzerland isn't in the EU zone, so it rated as zone 2, which the standard Travel Pass doesn't cover. The ROW pass was the one needed.
C: Row pass?
A: Sorry, the Rest of World pass. It's $15 a day instead of $10. The app should have warned you when you bought the pass, and I can see it didn't.
C: It didn't, no.
A: So I'm refunding the $64 in full, as a one-off, and I'll send feedback about the missing warning to the app team.
C: Oh, that's very kind, thank you.
A: Not at all. Is there anything else I can help with today?
C: No, that's everything. Thanks, Priya.

== C-1308 chat cust-2047 2026-11-18T16:30:00
> a-sofia
A: Hi, you're chatting with Sofia from Accounts & Retention. How can I help today?
C: Hi Sofia, I want to add a mobile line for my son, he's 13. I'm a bit worried about him running up a huge bill though
A: That's a really common worry, and a sensible one! There are a few things we can set up to keep it safe. Is the line just for him, with you as the account holder?
C: Yes, I'll be the account holder
A: Great. I'd suggest Wave 10GB at $15 a month. You can set a spending cap of $0, so nothing extra can be bought, and switch on the content filter for under-16s.
C: That sounds perfect. Can he still call me if he runs out of data?
A: Yes, calls and texts are unlimited, and the data just pauses until the next month. Nothing gets added to the bill.
C: Brilliant. Let's do it
A: Done! The SIM will arrive in 2 days. I've added a family discount too, as you already have our broadband, so it's $12 instead of $15.
C: Even better. Thank you so much
A: You're very welcome, Aisha. I hope he enjoys his first phone!

== C-1309 call cust-2048 2026-11-18T17:10:00
> a-lee
A: Technical Support, Lee here. What can I do for you?
C: Hi Lee, I'm Victor Ahn. My games console keeps getting a strict NAT error since the router updated itself last week, and I can't join online games with my friends.
A: Ah, the firmware update reset a few settings for some people. Let me take a look, Victor.
~ pause 40s
A: Yes, UPnP got switched off in the update. I'm turning it back on remotely now. Your router will restart, about two minutes.
~ pause 2m
C: It's back. Running the network test on the console... NAT type open!
A: Nice. That should stay now; the next firmware update keeps your settings.
C: You're a legend, thank you.
A: Happy gaming!

== C-1401 call cust-2051 2026-11-19T08:20:00
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: The app keeps crashing.
I: Thanks. Connecting you to Technical Support. Your expected wait time is more than fifteen minutes.
~ queue 18m20s
> a-lee
A: Technical Support, Lee speaking. What can I help with?
C: Finally. Eighteen minutes I've been waiting. Your app crashes every time I open it since the update last night. I can't log in, I can't see my bill, nothing.
A: Okay. Which phone do you have?
C: An iPhone. It was working fine until the update. I'm really annoyed, I need to pay my bill today.
A: Right. We know about this one: version 5.2 of the app crashes on login for some iPhones. Our developers are working on a fix.
C: So what am I supposed to do in the meantime?
A: You can pay on the website, brightwave.example, and sign in with the same details. Everything in the app is there too.
C: Fine. And when will the app be fixed?
A: There's no date yet, but it should be a few days. You'll get the update automatically.
C: Right. Well, that's that, I suppose.
A: Anything else?
C: No.

== C-1402 call cust-2052 2026-11-19T09:05:00
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: Payment failed in the app.
I: Thanks. Connecting you to Technical Support. Your expected wait time is more than twenty minutes.
~ queue 24m10s
> a-grace
A: Hi, you're through to Grace in Technical Support. I'm so sorry you've had such a long wait this morning, thank you for hanging on.
C: Twenty-five minutes. I was about to give up. I tried to pay my bill in the app three times since the update and every time it says payment failed. Now I don't know if I've paid once, three times, or not at all.
A: That's a horrible position to be in, not knowing whether your money's gone. Let me check your payments right now. Can I take your account number?
C: BW-4120776.
A: Thank you. Is it alright if I put you on hold for a couple of minutes while I check the payment records?
C: Yes, go on.
~ hold 4m
A: Thanks for holding. Good news: none of the three attempts went through, so you haven't been charged at all. The new app version, 5.2, has a fault with card payments and our developers are fixing it.
C: Okay, that's a relief. But my bill is due tomorrow.
A: I've just put a note on your account so there's no late fee for this bill. And if you'd like, I can take the payment with you now over the phone, so it's done.
C: Yes, let's do that.
A: I'm sending you a secure payment text. Tap the link and enter your card there; I won't hear the numbers.
~ pause 1m30s
C: Done, it says payment successful.
A: Perfect, I can see $58 received. You're all set. Sorry again for the wait and the hassle, Yusuf.
C: Thank you, Grace. You've been really helpful.

== C-1403 chat cust-2053 2026-11-19T10:40:00
> bot
B: Hi, I'm Wave Assistant. What can I help you with today?
C: the app logs me out as soon as I log in. since the update
B: Sorry you're having trouble logging in. Try resetting your password at brightwave.example/reset.
C: My password is fine, it works on the website. The app is broken
B: I'll connect you with a Technical Support specialist. Wait times are longer than usual.
~ queue 12m30s
> a-tomas
A: Hi, Tomas from Technical Support here. Can I have your account number?
C: BW-8850213. I've been waiting 12 minutes. The app logs me straight out after I sign in, it's a loop. Started after yesterday's update
A: Sorry for the wait. That's a known problem with version 5.2, our team are fixing it.
C: OK good to know it's not just me. Is there a workaround?
A: On Android you can clear the app's storage: Settings > Apps > Brightwave > Storage > Clear storage, then sign in again. It works for most people.
C: Trying
~ pause 1m40s
C: Still logs me out
A: Okay. Could you confirm your account number again for me?
C: BW-8850213. It's right there in the chat
A: Sorry. I've added your account to the list for the fix, we'll text you when the new version is out. Until then the website has everything the app does.
C: fine. thanks

== C-1404 call cust-2054 2026-11-19T11:15:00
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: Your app. Since the update.
I: Thanks. Connecting you to Technical Support. Your expected wait time is more than twenty minutes.
~ queue 31m20s
> a-tomas
A: Technical Support, Tomas speaking. Can I have your account number?
C: Half an hour. I've been on hold for half an hour. Your app has crashed on my phone every single time since the update last night, and I run my business bills through it.
A: I'm sorry about the wait, it's very busy this morning because of the app issue. Account number, please?
C: BW-2674458.
A: Thanks. So yes, version 5.2 is crashing for a lot of customers. The developers are working on it.
C: That's not good enough. I need to download my invoices for my accountant today.
A: Let me see if I can email them to you. Which months do you need?
C: September and October.
A: One moment.
~ hold 2m30s
~ disconnect system Line dropped while the customer was on hold

== C-1412 call cust-2054 2026-11-19T11:57:10
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: I got cut off. Invoices.
I: Thanks. Connecting you to Technical Support.
~ queue 9m50s
> a-lee
A: Technical Support, Lee speaking. How can I help?
C: I was on with someone called Tomas, he put me on hold to email me my invoices and the call just dropped. After half an hour waiting to begin with. I need my September and October invoices, the app's been crashing since the update.
A: Okay, let me find the account. What's the account number?
C: BW-2674458.
A: Right, I can see Tomas's note. I'm emailing the September and October invoices to the address on file now.
~ pause 40s
C: Got them.
A: Great. The app issue is version 5.2; until the fix comes out, all your invoices are on the website under Bills.
C: Okay. Thanks.
A: No problem.

== C-1405 call cust-2055 2026-11-19T13:40:00
> a-grace via=callback
A: Hello, is that Colin Baxter? This is Grace from Brightwave Technical Support, returning your call. You asked for a callback about the app this morning instead of waiting on hold.
C: Yes, that's me. Thanks for calling back, that's much better than sitting on hold for forty minutes.
A: I'm glad it worked out. I'm sorry we couldn't answer you straight away this morning. What's happening with the app?
C: Since the update I can't pay my bill. I tap pay, it spins, and then it says something went wrong. I've tried three times.
A: Right. Okay.
~ hold 2m10s
A: Thanks for waiting. That's a fault in version 5.2 of the app, and you're not the only one; our developers are working on it. The good news is that the failed attempts won't have charged your card. Would you like me to take the payment now, so it's off your mind?
C: Yes, please.
A: I'm sending you a secure payment link by text. Once you've paid, I'll see it come through on my side.
~ pause 1m20s
C: Done. It says paid.
A: Yes, I can see it, $72 received. I've also noted on your account that the app failures weren't your fault, so there's no risk of a late fee.
C: Brilliant. Thanks, Grace.
A: You're welcome, Colin. The fixed version should arrive in the next few days.

== C-1406 call cust-2056 2026-11-19T14:20:00
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: App payment not working and now a late fee.
I: Thanks. Connecting you to Technical Support.
~ queue 16m40s
> a-lee
A: Technical Support, Lee speaking. How can I help?
C: Hi, it's Joanna Wright. My autopay in the app failed because of the new update, and now I've got a letter saying there's a $15 late fee. I'm not paying a late fee because your app broke.
A: Fair enough. Version 5.2 broke saved-card payments, so that'll be why the autopay didn't go. I can save your card again on our side so next month's works.
~ pause 50s
A: Done, your card's saved properly now. The late fee is one for Billing. I'll put you through and tell them what's happened so you don't need to explain it again.
C: Thank you, that would help.
~ hold 1m10s
A: Hi Maria, I've got Joanna Wright on the line. Her autopay failed because of the 5.2 app bug and she's been charged a $15 late fee. I've fixed the card on the tech side.
~ transfer warm
> a-maria
A: Thanks Lee. Hello Ms Wright. I can see the $15 late fee from the 17th. Late fees caused by a system error can be reversed. I have reversed it now.
C: Oh, great. That was easy.
A: The credit will show on your next bill. Is there anything else I can help with?
C: No, that's everything, thanks both.

== C-1407 call cust-2057 2026-11-19T15:30:00
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: The app crashes.
I: Thanks. Connecting you to Technical Support. Your expected wait time is more than twenty minutes.
~ queue 22m05s
> a-tomas
A: Technical Support, Tomas speaking. Can I have your account number?
C: BW-5592014. Your app is crashing on my tablet since the update. Twenty-two minutes to get through, by the way.
A: Sorry about the wait. Is that an Android tablet or an iPad?
C: An Android tablet. My phone's fine, it's just the tablet.
A: Let me check if the tablet version is affected, one second.
~ hold 6m10s
A: Thanks for waiting. Yes, tablets on Android 12 are crashing with 5.2. The fix is being tested.
C: Six minutes on hold to tell me that. Can I do anything in the meantime?
A: Use your phone or the website for now. Can I just get your account number again to log the tablet model?
C: BW-5592014. It's the same as before.
A: Thanks, logged.
C: Fine.

== C-1408 chat cust-2058 2026-11-19T16:45:00
> bot
B: Hi, I'm Wave Assistant. What can I help you with today?
C: app won't let me log in since update 5.2, says error 503
B: We're aware of an issue affecting the Brightwave app version 5.2. Our team is working on a fix. Would you like to speak to someone?
C: yes
~ queue 14m20s
> a-grace
A: Hi Sinead, Grace here from Technical Support. Sorry you've waited so long, it's been a very busy day with the app problem. I can see you're getting error 503 at login?
C: yes, every time. I need to change my plan before the end of the month
A: Completely understand, you don't want to miss the date because of our app. I can change the plan for you here. Which plan would you like?
C: Wave Unlimited please, from the next bill
A: Done! Wave Unlimited from your next bill on the 1st, $35 a month. You'll get a confirmation email in a few minutes.
C: great, thanks Grace. hope the app gets fixed soon
A: Me too! The fix is being tested now. Thanks for your patience today.

== C-1409 call cust-2059 2026-11-19T12:10:00
> a-kevin
A: Billing, Kevin speaking.
C: Hi Kevin, my name's Dennis Achebe. I tried to pay my bill in your app last night and it failed, and now I've had a text saying my payment is overdue.
A: The payment didn't come through, so the bill's overdue.
C: Yes, because the app failed. I tried four times.
A: That's not true, the app works fine. We've had thousands of payments through it.
C: It doesn't work fine, it's all over social media that the new update is broken!
A: You should have checked the payment went through before the due date. That's your responsibility, not ours.
C: I did check! That's why I'm calling you!
A: Calm down, there's no need to shout. You can pay now over the phone.
C: Fine, but I want the overdue marker removed.
A: There's nothing I can do about the marker, it's automatic. It'll drop off when you pay.
C: You're unbelievable. I'll pay on the website. Goodbye.
~ disconnect customer

== C-1410 call cust-2060 2026-11-19T17:20:00
> a-sofia
A: Good afternoon, Sofia in Accounts and Retention, how can I help?
C: Hi, I'm Lena Hoffmann. I want to leave Brightwave. Your app has been broken since yesterday, I can't see my data usage, I can't pay, and I sat on hold for twenty minutes this morning just to be told to use the website.
A: I'm sorry, Lena. An app that suddenly stops working and then a long wait just to be told to use the website, that's a really frustrating day, and it's on us, not you.
C: It is. It's just one thing after another.
A: I hear you. Can I ask, apart from the app, how's the service itself been? Your internet and your phone?
C: Honestly, the internet's fine. It's the app that's driving me mad.
A: That's helpful to know, thank you. Our developers are testing a fix for the app now, and I expect it in the next couple of days. What I can do right now is set up a usage text for you, so you don't need the app to keep an eye on your data, and I'll apply this month's $5 app-payment discount even though you couldn't use the app.
C: Oh. That would actually help a lot.
A: Done. The usage text will come on the 1st and the 15th. And I'll leave a note for my team to call you when the fixed app is out, so you don't have to keep checking.
C: Okay. Thank you, Sofia. I'll stay for now.
A: Thank you for sticking with us, Lena. I'm sorry again about the app.

== C-1411 call cust-2061 2026-11-19T10:05:00
> a-maria
A: Billing, Maria speaking. How can I help?
C: Hello, dear. I'm Frank Delaney. I'm eighty-one and I don't use the computer, and my paper bill stopped coming. My daughter says it's gone to email.
A: Can you confirm your account number and date of birth?
C: Oh. The account number... it's on the old bill here. BW-1023348. Born the 2nd of June 1945.
~ pause 20s
A: Thank you. The account was switched to paperless billing in October. Paper bills cost $2 per month.
C: I didn't switch anything. I don't even have an email.
A: I have switched the account back to paper billing. For customers over 75 the paper bill fee is waived.
C: Oh, that's good. And this month's bill?
~ pause 15s
A: I will post a copy of this month's bill today. It should arrive within 3 working days.
C: Lovely. Thank you very much.
A: Thank you for calling Brightwave.

== C-1501 call cust-2071 2026-11-20T08:40:00
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: The Brightwave app isn't working.
I: Thanks. Connecting you to Technical Support. Your expected wait time is more than twenty-five minutes.
~ queue 27m30s
> a-lee
A: Technical Support, Lee speaking. What can I do for you?
C: I've been waiting nearly half an hour. The app crashes the second I open it. It's been like this since Wednesday night. I use it to top up my son's phone and he's got no credit.
A: Okay. Which phone are you on?
C: A Samsung. I'm so fed up with this.
A: Right, bear with me, I'm going to check whether top-ups are working on our side.
~ hold 8m15s
A: Okay, so top-ups themselves work, it's just the app. I've added $20 to your son's line now from the card on your account. Is that alright?
C: Yes. Yes, that's fine. Thank you.
A: The app fix, version 5.2.1, is expected tomorrow. Until then you can top up on the website or by texting TOPUP 20 to 2020.
C: Okay. I'll do that.
A: Anything else?
C: No, that's it.

== C-1502 call cust-2072 2026-11-20T09:30:00
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: Payment problem in the app.
I: Thanks. Connecting you to Technical Support. Your expected wait time is more than thirty minutes.
~ queue 38m10s
> a-grace
A: Hi, you're through to Grace in Technical Support. I'm really sorry you've been waiting so long, nearly forty minutes. That's not okay, and thank you for staying on the line.
C: I nearly hung up three times. Your app took $89 from my account twice when I paid yesterday, and I can't even check in the app, because it crashes since the update.
A: Being charged twice and then not even being able to check, I'd be worried too. Let's find out what happened. Is it okay if I take your account number?
C: BW-7430195.
A: Thank you. I can see two payments of $89 pending on the account. To find out which one to cancel I need our payments team, and they can take half an hour to come back to me. Rather than keep you on hold any longer, I can call you back within the hour with the answer. Would that be better?
C: Yes, honestly, that would be much better.
A: Great. I'll call you on this number before 11. Either way, I promise one of the two payments will be refunded.
C: Okay. Thank you, Grace.
A: Thank you for your patience, Hamid. Speak soon.

== C-1503 chat cust-2073 2026-11-20T10:10:00
> bot
B: Hi, I'm Wave Assistant. What can I help you with today?
C: App says session expired every time I try to log in since the update
B: We're aware of an issue affecting the Brightwave app version 5.2. Our team is working on a fix. Would you like to speak to someone?
C: yes please
~ queue 15m30s
> a-lee
A: Hi, Lee from Technical Support. What do you need help with?
C: as I told the bot: the app says session expired every time I log in. I waited 15 minutes for this chat
A: Okay. That's the 5.2 bug. The fix is version 5.2.1, due tomorrow. Meanwhile the website works fine for everything.
C: I need to see my PUK code, my phone is locked
A: No problem, I can give you that here. Can you confirm your date of birth for security?
C: 3/9/1990
A: Thanks. Your PUK is 4471 9023. Enter it when the phone asks, then set a new PIN.
C: That worked. thanks
A: Great. Anything else?
C: no

== C-1504 call cust-2074 2026-11-20T11:50:00
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: The app's crashing.
I: Thanks. Connecting you to Technical Support. Your expected wait time is more than fifteen minutes.
~ queue 19m05s
> a-tomas
A: Technical Support, Tomas speaking. Account number, please?
C: BW-6017732. I've been waiting nineteen minutes. The app crashes when I try to look at my bill. It's the new update, isn't it?
A: Yes, sorry about the wait, and yes, it's the 5.2 update. A fix is due tomorrow.
C: Right. I just wanted to check how much I owe this month.
A: I can tell you that. What's your account number again?
C: BW-6017732. I just said it.
A: Sorry. Your bill this month is $64.50, due on the 28th.
C: Okay. Thank you.
A: No problem. The fix should come through tomorrow automatically.

== C-1505 call cust-2051 2026-11-20T13:20:00
> ivr
I: Thank you for calling Brightwave. We're currently experiencing high call volumes. In a few words, please tell me why you're calling today.
C: I still can't pay my bill.
I: Thanks. Connecting you to Technical Support. Your expected wait time is more than twenty minutes.
~ queue 21m40s
> a-grace
A: Hi, you're through to Grace in Technical Support. Sorry for the long wait today.
C: Graham Whitaker. I called yesterday. I was told to pay on the website because your app crashes since the update, and the website payment page just says try again later. So now I've waited twenty minutes for the second day running.
A: Two days running, and the workaround you were given didn't work either. I'm sorry, Graham, that's really frustrating. Let's make sure today is the last call about this.
C: I hope so.
A: One sec.
~ hold 2m40s
A: Thanks for bearing with me. The website payment page was down for a few hours yesterday because of the extra traffic. It's working now, but rather than send you off to try again, I can take the payment with you right now by secure text. Would that suit you?
C: Yes. Please.
A: Sending it now.
~ pause 1m30s
C: Done. It says successful.
A: I can see it, $47 paid. I've also noted that your late payment was caused by our app, so no fee will be charged.
C: Thank you. That's what I needed yesterday.
A: I know, and I'm sorry it took two calls. The app fix is out tomorrow.

== C-1506 call - 2026-11-20T14:05:00
> agent Technical Support
A: Thank you for calling Brightwave Technical Support. How can I help you today?
C: Hi. Your app has stopped working on my phone since the update. It just closes straight away.
A: I'm sorry about that. It's a known problem with version 5.2, and the fix, version 5.2.1, is being released tomorrow morning.
C: Tomorrow. Okay. I just needed to check my data allowance, I'm going abroad on Sunday.
~ pause 20s
A: I can check that for you. You've used 6 gigabytes of your 20 this month, and it resets on the 1st.
C: Great, that's plenty. And will the Travel Pass work while the app is broken?
A: Yes, you can add it by texting TRAVEL to 2020, it doesn't need the app.
C: Perfect. Thank you, that's really helpful.
A: You're welcome. Have a great trip.

== C-1507 chat - 2026-11-20T15:40:00
> agent Technical Support
A: Hi, thanks for contacting Brightwave Technical Support. How can I help?
C: I've been trying to pay for two days and the app keeps saying payment failed. This is ridiculous
A: I'm sorry, that's really frustrating. The app update 5.2 has a fault with card payments and a fix is being released tomorrow.
C: So what do I do? I don't want a late fee
A: You won't get one for this, I've added a note to your account. You can pay on our website now, it's working normally.
C: ok. I'll try the website
C: that worked
A: Great! Anything else I can help with?
C: no thanks

== C-1508 call cust-2075 2026-11-20T10:45:00
> a-kevin
A: Billing, Kevin speaking.
C: Hi Kevin, my name's Mohammed Rashid. The app says I owe $112, but I paid my bill last week. I've got the bank statement right here.
A: Account number?
C: BW-8302261.
~ pause 15s
A: The payment's on the account. You probably didn't update the app, that's why it's showing old information.
C: I did update it. That's when the problems started. It crashes half the time and shows the wrong balance the rest.
A: Then the tech team messed this up, not billing. They break something every time they release an update.
C: I don't care which team broke it. I just want to know if I owe you $112 or not.
A: As I already told you, the payment is on the account. You don't owe anything.
C: You didn't tell me that, actually. You told me I hadn't updated the app.
A: Look, calm down. The balance is zero. Ignore the app.
C: Right. Thanks, I suppose.

== C-1509 call cust-2076 2026-11-20T12:30:00
> a-maria
A: Billing, Maria speaking.
C: Hi Maria. I'm Eleanor Voss. I'm really upset: the app took my payment twice yesterday, that's $140 gone from my account, and I've got rent going out on Monday.
A: Can you confirm the account number and the postcode?
C: BW-4458190, and OB2 9LE.
~ pause 30s
A: Thank you. I can see two payments of $70 on the 19th. One of them is a duplicate caused by the app error. I have refunded the duplicate payment of $70.
C: When will I get it back? Monday is rent day.
A: Refunds normally take 3 to 5 working days. I have marked this one as urgent, so it should be back by Monday.
C: Please make sure it is.
A: The refund reference is RF-21177. Is there anything else?
C: No. Thank you.

== C-1510 call cust-2077 2026-11-20T14:50:00
> a-jamal
A: Accounts and Retention, Jamal speaking.
C: Hi Jamal, Victoria Lane. I've lost most of two days to your app being broken. I've called three times, waited on hold for an hour in total, and I run a small business from these accounts. I'd like some compensation.
A: I understand. Compensation isn't available for app issues, since the service itself was working.
C: The app is part of the service. I couldn't pay my business bills or get my invoices.
A: I know, but there's nothing I can do. The app isn't covered.
C: Not even a small credit? For an hour of hold time?
A: No, I'm sorry. Is there anything else?
C: No. I'm very disappointed.
~ disconnect customer

== C-1511 chat cust-2078 2026-11-20T16:20:00
> a-priya
A: Hi, Priya from Billing here, how can I help?
C: Hi. I paid in the app yesterday and my bank shows 2 payments of $55. Can you refund one?
A: Let me check. Can I have the account number please?
C: BW-3907724
A: Thanks. I can see two auths of $55. One has settled and the other is a pending pre-auth that will be voided by the acquirer automatically within 5 days.
C: sorry what does that mean? do I get my money back or not
A: Sorry, I'll put it simply: you've only actually paid once. The second $55 is a hold your bank put on the money, and it will disappear by itself within 5 days. You don't need to do anything.
C: ah ok. That's fine then. thanks
A: You're welcome, Nadia!

== C-1601 call cust-2081 2026-11-21T09:15:00
> a-sofia
A: Good morning, Sofia in Accounts and Retention, how can I help?
C: Morning Sofia. I'm Peter Quinn. My contract's up next month and I wanted to see what you can do on price before I look around.
A: Thank you for calling us first, Peter, I appreciate that. You've been with us nearly four years, so let's find you something good. Can I ask what you mostly use the internet for?
C: Working from home, and the kids stream a lot. The speed is fine but the price went up to $68.
~ pause 30s
A: That's fair to question. I can offer you Fibre 500 on a new 18 month contract for $49, so faster and cheaper than what you have now. Or if you'd rather not commit, I can keep you on your current plan on a rolling monthly at $58.
C: Oh, the 500 for $49 sounds good. Is there an install?
A: No install needed, it's a switch on our side. I'll do it now, and I'll double-check the line actually gets the new speed before we hang up.
~ pause 1m50s
A: All done. Could you run a speed test for me?
C: Four hundred and ninety. Very nice.
A: Perfect. Your next bill will be $49, and I've emailed you the new contract summary.
C: Great, thanks Sofia, that was painless.
A: My pleasure, Peter. Have a lovely weekend.

== C-1602 chat cust-2082 2026-11-21T10:30:00
> a-grace
A: Hi, Grace from Technical Support here. How can I help today?
C: Hi, my app was crashing all week since the update, I just saw there's a new version 5.2.1. Should I install it?
A: Yes, please do! 5.2.1 came out this morning and fixes the crashes and the payment errors. Sorry the app gave you such a rough week.
C: Installing now
~ pause 1m20s
C: It works! I can see my bill again
A: Brilliant. If you tried to pay during the week and it failed, it's worth checking the balance, as the failed attempts didn't charge you.
C: Yes it shows I still owe $41, paying now in the app
C: Paid! Finally
A: Great to hear. Thanks for bearing with us this week, Isla.
C: thanks Grace

== C-1603 call cust-2083 2026-11-21T11:10:00
> a-jamal
A: Accounts and Retention, Jamal speaking.
C: Hi Jamal, Ruth Abernathy. I'm going to the US for three weeks for my daughter's wedding and I'm worried about what it'll cost to use my phone.
A: Congratulations on the wedding. Three weeks is a long time for day passes. The monthly Rest of World pass is $45 for 30 days, with 15 gigabytes, which works out much cheaper than $15 a day.
C: Oh, that's much better. Can you add it from the 1st of December?
~ pause 25s
A: I can. I've added it from the 1st; it runs until the 30th.
C: Wonderful. Thank you.
A: You're welcome. Enjoy the wedding.

== C-1604 call cust-2084 2026-11-21T12:05:00
> a-kevin
A: Billing, Kevin speaking.
C: Hi, Alan Brooks here. I want to change the date my direct debit comes out, from the 1st to the 15th.
A: Account number?
C: BW-5520913.
~ pause 15s
A: Okay. You can only change it once every twelve months, and you changed it in March.
C: Did I? I don't remember that.
A: You did. As I already told you, once every twelve months.
C: You only just told me, but okay. So I can't change it until March?
A: That's right.
C: Fine. Thanks.

== C-1605 chat cust-2085 2026-11-21T13:30:00
> a-tomas
A: Hi, Tomas from Technical Support. What's your account number?
C: BW-7266041. I dropped my phone in the sea and I've got a new one, but I need a new SIM for it
A: Ouch, sorry to hear that. Do you need the same size SIM, or an eSIM?
C: eSIM would be great, the new phone supports it
A: OK. Can you confirm your account number again please?
C: BW-7266041, same as above
A: Thanks. I've sent an eSIM code to your email. Your old SIM will stop working once you scan it.
C: Scanned, I've got signal. Thanks Tomas
A: No problem!

== C-1606 call cust-2086 2026-11-21T14:15:00
> a-maria
A: Billing, Maria speaking.
C: Hi Maria. Maeve O'Connor. When I joined a year ago I paid a $100 deposit because I had no credit history, and I was told I'd get it back after twelve months. It's been thirteen and I haven't heard anything. I'm a student, that money matters to me.
A: Can you give me the account number?
C: BW-2649935.
~ pause 35s
A: Thank you. Deposits are refunded after 12 months of on-time payments. Your account meets the criteria. I have requested the refund of $100 to your bank account.
C: Oh, great. How long does that take?
A: Up to 10 working days.
C: Okay. Thanks.
A: Is there anything else I can help with?
C: No, that's all.

== C-1607 call cust-2087 2026-11-21T15:00:00
> a-lee
A: Technical Support, Lee speaking. How can I help?
C: Hi Lee, Hugo Lambert. My wifi is fine in the living room, but upstairs in the office it's barely usable. I keep dropping out of video calls.
A: That's a pain when you work from home. How far is the office from the router?
C: Two floors up, at the opposite end of the house.
A: That'll be it, the signal struggles through two floors. I can send you a mesh extender for free, since you're on Fibre 500. It plugs in halfway between, and the office will get a strong signal.
C: That would be great.
~ pause 30s
A: Ordered, it'll arrive on Tuesday. Plug it in on the landing, press the button on the router and then the one on the extender, and it'll pair by itself.
C: Brilliant, thanks.
A: You're welcome, Hugo. Call back if the office is still slow after that.

== C-1608 call cust-2088 2026-11-21T16:10:00
> a-priya
A: Brightwave Billing, Priya speaking.
C: Hi Priya, I'm Wendy Park. I'm leaving for another network, I'm afraid, and I need my PAC code to keep my number.
A: No problem, Wendy, sorry to see you go. Can I ask what's prompted the move?
C: My work gives me a phone on their network now, so I don't need to pay for my own anymore.
~ pause 30s
A: That makes sense. Your PAC code is PAC 493 112 88, and it's valid for 30 days. Your account will close automatically when the number moves, and you'll get a final bill for any usage up to then.
C: Do I have to pay anything to leave?
A: No, you're out of contract, so there's no exit fee.
C: Great. Thanks for making it easy.
A: You're welcome. All the best with the new job.

== C-1609 chat cust-2089 2026-11-21T17:20:00
> a-jamal
A: Hi, Jamal from Accounts & Retention. How can I help?
C: Hi, my phone screen is cracked and my contract ends in January. Can I upgrade early?
A: Early upgrades are only available in the last 30 days of the contract. Yours has 52 days left.
C: The screen is really bad, I can barely read it. Anything you can do?
A: There's nothing I can do until the 30 days, sorry.
C: ok. guess I'll wait
"""

# --------------------------------------------------------------------------------------
# From scripts to canonical conversations
# --------------------------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d+)m)?(?:(\d+)s)?$")
_TURN = re.compile(r"^([CAIB]): (.+)$")
_ROLE_OF = {"C": Role.CUSTOMER, "A": Role.AGENT, "I": Role.IVR, "B": Role.BOT}
_DISCONNECT_END = {
    Role.CUSTOMER: LegEnd.CUSTOMER_DISCONNECT,
    Role.AGENT: LegEnd.AGENT_DISCONNECT,
    Role.SYSTEM: LegEnd.SYSTEM_DISCONNECT,
}
# Speech rates (words per second) on calls; chats use typing/reading delays instead.
_CALL_RATE = {Role.AGENT: 2.7, Role.CUSTOMER: 2.5, Role.IVR: 2.4, Role.BOT: 2.4}


@dataclass
class Scripted:
    """One conversation as written, plus where it goes."""

    script_id: str
    conversation: Conversation


def _duration_ms(text: str) -> int:
    match = _DURATION.match(text)
    if not match or not text:
        raise ValueError(f"bad duration {text!r}")
    return (int(match.group(1) or 0) * 60 + int(match.group(2) or 0)) * 1000


@dataclass
class _LegDraft:
    index: int
    role: Role
    agent_id: str | None
    agent_name: str | None
    department: str | None
    queue: str | None
    started_via: LegStart
    start_ms: int
    end_ms: int
    ended_via: LegEnd = LegEnd.UNKNOWN
    transferred: bool = False


@dataclass
class _Draft:
    script_id: str
    channel: Channel
    customer_id: str | None
    started_at: datetime
    rng: random.Random
    t: int = 0
    legs: list[_LegDraft] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    pending_queue: list[int] = field(default_factory=list)  # event positions awaiting the next leg
    pending_transfer: int | None = None  # event position awaiting the next leg
    pending_warm: bool | None = None

    @property
    def leg(self) -> _LegDraft:
        return self.legs[-1]


def _new_leg(draft: _Draft, spec: str) -> None:
    words = spec.split()
    options = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    rest = " ".join(w for w in words[1:] if "=" not in w)
    key = words[0]
    if key == "ivr":
        leg = (Role.IVR, IVR_ID, IVR_NAME, None, IVR_QUEUE)
    elif key == "bot":
        leg = (Role.BOT, BOT_ID, BOT_NAME, None, BOT_QUEUE)
    elif key in ("queue", "agent"):  # nobody answered yet / an agent the export does not name
        leg = (Role.AGENT, None, None, rest, QUEUES[rest])
    elif key in AGENTS:
        name, department = AGENTS[key]
        leg = (Role.AGENT, key, name, department, QUEUES[department])
    else:
        raise ValueError(f"{draft.script_id}: unknown leg {spec!r}")
    previous = draft.legs[-1] if draft.legs else None
    if "via" in options:
        started_via = LegStart(options["via"])
    elif previous is None or previous.role is Role.IVR:
        started_via = LegStart.INBOUND
    elif previous.role is Role.BOT:
        started_via = LegStart.BOT_HANDOFF
    elif draft.pending_warm:
        started_via = LegStart.TRANSFER
    else:
        started_via = LegStart.QUEUE_TRANSFER
    if previous is not None:
        previous.ended_via = LegEnd.TRANSFERRED
    index = len(draft.legs)
    role, agent_id, agent_name, department, queue = leg
    draft.legs.append(
        _LegDraft(index, role, agent_id, agent_name, department, queue, started_via, draft.t, draft.t)
    )
    for position in draft.pending_queue:
        draft.events[position] = draft.events[position].model_copy(update={"leg": index})
    draft.pending_queue.clear()
    if draft.pending_transfer is not None:
        event = draft.events[draft.pending_transfer]
        draft.events[draft.pending_transfer] = event.model_copy(
            update={"to_leg": index, "to_department": department, "to_agent": agent_id}
        )
        draft.pending_transfer = None
        draft.pending_warm = None


def _add_turn(draft: _Draft, marker: str, text: str) -> None:
    role = _ROLE_OF[marker]
    leg = draft.leg
    if role in (Role.AGENT, Role.BOT, Role.IVR) and leg.role is not role:
        raise ValueError(f"{draft.script_id}: {marker}: line in a {leg.role} leg: {text[:40]}")
    words = len(text.split())
    rng = draft.rng
    if draft.channel is Channel.CALL:
        start = draft.t + rng.randint(500, 2200)
        end = start + int(words / _CALL_RATE[role] * 1000) + rng.randint(150, 450)
        start, end = round(start, -1), round(end, -1)
        draft.t = end
    else:
        if role is Role.CUSTOMER:
            delay = rng.randint(2000, 6000) + int(words / 0.8 * 1000)
        elif role is Role.BOT:
            delay = rng.randint(1000, 2500)
        else:
            delay = rng.randint(3000, 9000) + int(words / 2.2 * 1000)
        start = round(draft.t + delay, -3)
        end = None
        draft.t = start
    if role is Role.CUSTOMER:
        speaker_id = draft.customer_id
        speaker_name = CUSTOMERS.get(draft.customer_id or "")
    else:
        speaker_id, speaker_name = leg.agent_id, leg.agent_name
    draft.turns.append(
        Turn(
            index=len(draft.turns),
            role=role,
            speaker_id=speaker_id,
            speaker_name=speaker_name,
            text=text,
            start_ms=start,
            end_ms=end,
            leg=leg.index,
        )
    )
    leg.end_ms = draft.t


def _directive(draft: _Draft, line: str) -> None:
    verb, _, rest = line[2:].partition(" ")
    leg = draft.leg
    if verb == "queue":
        duration = _duration_ms(rest)
        draft.events.append(
            Event(type=EventType.QUEUE_WAIT, at_ms=draft.t, duration_ms=duration, leg=leg.index)
        )
        draft.pending_queue.append(len(draft.events) - 1)
        draft.t += duration
    elif verb == "hold":
        duration = _duration_ms(rest)
        draft.t += draft.rng.randint(300, 900)
        draft.events.append(
            Event(type=EventType.HOLD_START, at_ms=draft.t, duration_ms=duration, leg=leg.index)
        )
        draft.t += duration
        draft.events.append(Event(type=EventType.HOLD_END, at_ms=draft.t, leg=leg.index))
        leg.end_ms = draft.t
    elif verb == "pause":
        draft.t += _duration_ms(rest)
        leg.end_ms = draft.t
    elif verb == "transfer":
        warm = {"warm": True, "cold": False}[rest]
        draft.t += draft.rng.randint(500, 1500)
        draft.events.append(
            Event(
                type=EventType.TRANSFER,
                at_ms=draft.t,
                leg=leg.index,
                from_leg=leg.index,
                from_department=leg.department,
                from_agent=leg.agent_id,
                warm=warm,
            )
        )
        draft.pending_transfer = len(draft.events) - 1
        draft.pending_warm = warm
        leg.end_ms = draft.t
        leg.transferred = True
    elif verb == "disconnect":
        who, _, reason = rest.partition(" ")
        by = Role(who)
        if draft.events and draft.events[-1].type is EventType.HOLD_END:
            draft.events.pop()  # dropped during the hold: it never ended
        else:
            draft.t += draft.rng.randint(300, 1200)
        draft.events.append(
            Event(type=EventType.DISCONNECT, at_ms=draft.t, leg=leg.index, by=by, reason=reason or None)
        )
        leg.ended_via = _DISCONNECT_END[by]
        leg.end_ms = draft.t
    elif verb == "end":
        leg.ended_via = LegEnd(rest)
    else:
        raise ValueError(f"{draft.script_id}: unknown directive {line!r}")


def _finish(draft: _Draft) -> Scripted:
    if draft.pending_transfer is not None or draft.pending_queue:
        raise ValueError(f"{draft.script_id}: transfer or queue wait with no leg after it")
    last = draft.leg
    if last.ended_via is LegEnd.UNKNOWN:
        last.ended_via = LegEnd.RESOLVED
    conversation_id = CONTACT_LENS.get(draft.script_id, draft.script_id)
    legs = [
        Leg(
            index=leg.index,
            participant_role=leg.role,
            agent_id=leg.agent_id,
            agent_name=leg.agent_name,
            department=leg.department,
            queue=leg.queue,
            started_via=leg.started_via,
            ended_via=leg.ended_via,
            start_ms=leg.start_ms,
            end_ms=leg.end_ms,
            extra=LEG_EXTRA.get((draft.script_id, leg.index), {}),
        )
        for leg in draft.legs
    ]
    end_ms = max([draft.t] + [leg.end_ms for leg in draft.legs])
    conversation = Conversation(
        id=conversation_id,
        channel=draft.channel,
        customer_id=draft.customer_id,
        started_at=draft.started_at,
        ended_at=draft.started_at + timedelta(milliseconds=end_ms - end_ms % 1000 + 1000),
        legs=legs,
        turns=draft.turns,
        events=draft.events,
    )
    return Scripted(draft.script_id, conversation)


def parse_scripts(text: str = SCRIPTS) -> list[Scripted]:
    """Turn the hand-written scripts into canonical conversations (deterministic)."""
    results: list[Scripted] = []
    draft: _Draft | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("== "):
            if draft is not None:
                results.append(_finish(draft))
            script_id, channel, customer, started = line[3:].split()
            draft = _Draft(
                script_id=script_id,
                channel=Channel(channel),
                customer_id=None if customer == "-" else customer,
                started_at=datetime.fromisoformat(started).replace(tzinfo=UTC),
                rng=random.Random(script_id),
            )
            continue
        if draft is None:
            raise ValueError(f"text before the first conversation header: {line!r}")
        if line.startswith("> "):
            _new_leg(draft, line[2:])
        elif line.startswith("~ "):
            _directive(draft, line)
        else:
            match = _TURN.match(line)
            if not match:
                raise ValueError(f"{draft.script_id}: cannot parse {line!r}")
            _add_turn(draft, match.group(1), match.group(2))
    if draft is not None:
        results.append(_finish(draft))
    ids = [s.conversation.id for s in results]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate conversation ids")
    return results


# --------------------------------------------------------------------------------------
# Writers, one per export format
# --------------------------------------------------------------------------------------

_ID_NAMESPACE = uuid.UUID("6f2b7c1e-3d4a-4b8e-9c0f-1a2b3c4d5e6f")  # fixed: ids stay stable


def _clean(value: Any) -> Any:
    """Drop None values and empty ``extra`` dicts, so the JSON stays readable."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None and not (k == "extra" and v == {})}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def canonical_record(conversation: Conversation) -> dict[str, Any]:
    """The JSON record of one conversation as written to the canonical files."""
    return _clean(conversation.model_dump(mode="json"))


def _day(conversation: Conversation) -> str:
    assert conversation.started_at is not None
    return conversation.started_at.date().isoformat()


def _clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _cue_time(ms: int) -> str:
    return f"{_clock(ms)}.{ms % 1000:03d}"


def _stamp(conversation: Conversation, ms: int) -> str:
    assert conversation.started_at is not None
    return (conversation.started_at + timedelta(milliseconds=ms)).isoformat(timespec="seconds")


def _agent_legs(conversation: Conversation) -> list[Leg]:
    return [leg for leg in conversation.legs if leg.participant_role is Role.AGENT and leg.agent_name]


def _timeline(conversation: Conversation) -> list[tuple[int, int, Turn | Event]]:
    """Turns and events in time order (events first when they share a millisecond)."""
    items: list[tuple[int, int, Turn | Event]] = [(t.start_ms or 0, 1, t) for t in conversation.turns]
    items += [(e.at_ms or 0, 0, e) for e in conversation.events]
    return sorted(items, key=lambda item: (item[0], item[1]))


def write_plain_text(conversations: list[Conversation]) -> str:
    """Plain-text transcripts: header lines, ``[hh:mm:ss] Speaker: text``, ``---`` between."""
    blocks = []
    for conversation in conversations:
        assert conversation.started_at is not None
        legs = _agent_legs(conversation)
        lines = [
            f"Conversation: {conversation.id}",
            f"Customer-ID: {conversation.customer_id}",
            f"Channel: {conversation.channel.value}",
            f"Date: {conversation.started_at:%Y-%m-%d %H:%M}",
            f"Department: {legs[0].department}",
            "Agents: "
            + ", ".join(dict.fromkeys(f"{leg.agent_name} ({leg.agent_id})={leg.department}" for leg in legs)),
            "",
        ]
        names = {leg.index: leg.agent_name for leg in conversation.legs}
        for at, _, item in _timeline(conversation):
            if isinstance(item, Turn):
                speaker = "Customer" if item.role is Role.CUSTOMER else f"Agent ({names[item.leg]})"
                lines.append(f"[{_clock(at)}] {speaker}: {item.text}")
            elif item.type is EventType.HOLD_START:
                lines.append(f"[{_clock(at)}] --- on hold ---")
            elif item.type is EventType.HOLD_END:
                lines.append(f"[{_clock(at)}] --- off hold ---")
            elif item.type is EventType.TRANSFER:
                kind = "warm" if item.warm else "cold"
                lines.append(f"[{_clock(at)}] --- Transferred to {item.to_department} ({kind}) ---")
            elif item.type is EventType.DISCONNECT:
                assert item.by is not None
                lines.append(f"[{_clock(at)}] --- call disconnected by {item.by.value} ---")
        blocks.append("\n".join(lines) + "\n")
    return "\n---\n\n".join(blocks)


def write_webvtt(conversation: Conversation) -> str:
    """A WebVTT caption file with a metadata NOTE and ``<v Name>`` voice tags."""
    legs = _agent_legs(conversation)
    agents = ",".join(
        dict.fromkeys(f"{leg.agent_name}:agent:{leg.department or ''}:{leg.agent_id}" for leg in legs)
    )
    note = (
        f"NOTE conversation={conversation.id} customer={conversation.customer_id} "
        f"channel={conversation.channel.value} department={shlex.quote(legs[0].department or '')} "
        f"agents={shlex.quote(agents)} "
        f"started={conversation.started_at.isoformat() if conversation.started_at else ''}"
    )
    names = {leg.index: leg.agent_name for leg in conversation.legs}
    cues = []
    for turn in conversation.turns:
        assert turn.start_ms is not None and turn.end_ms is not None
        voice = "Customer" if turn.role is Role.CUSTOMER else names[turn.leg]
        cues.append(f"{_cue_time(turn.start_ms)} --> {_cue_time(turn.end_ms)}\n<v {voice}>{turn.text}</v>\n")
    return "WEBVTT\n\n" + note + "\n\n" + "\n".join(cues)


CSV_HEADER = [
    "conversation_id",
    "timestamp",
    "role",
    "speaker",
    "agent_name",
    "department",
    "channel",
    "customer_id",
    "text",
]


def write_csv_turns(conversations: list[Conversation]) -> str:
    """One turn per row, as a chat platform's export would give it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for conversation in conversations:
        legs = {leg.index: leg for leg in conversation.legs}
        for turn in conversation.turns:
            leg = legs[turn.leg]
            is_agent = turn.role is Role.AGENT
            writer.writerow(
                [
                    conversation.id,
                    _stamp(conversation, turn.start_ms or 0),
                    turn.role.value,
                    leg.agent_id if is_agent else conversation.customer_id,
                    leg.agent_name if is_agent else "",
                    leg.department,
                    conversation.channel.value,
                    conversation.customer_id,
                    turn.text,
                ]
            )
    return out.getvalue()


_NEGATIVE = ("ridiculous", "crash", "stopped working", "failed", "frustrating", "late fee", "broken")
_POSITIVE = ("thank", "great", "perfect", "worked", "helpful", "plenty")


def _vendor_sentiment(text: str) -> str:
    lowered = text.lower()
    negative = any(cue in lowered for cue in _NEGATIVE)
    positive = any(cue in lowered for cue in _POSITIVE)
    if negative and positive:
        return "MIXED"
    return "NEGATIVE" if negative else "POSITIVE" if positive else "NEUTRAL"


_SENTIMENT_SCORE = {"POSITIVE": 1.0, "NEGATIVE": -1.0, "MIXED": 0.0, "NEUTRAL": 0.0}


def write_contact_lens(conversation: Conversation) -> dict[str, Any]:
    """Amazon Connect Contact Lens analysis output (voice or chat) for one contact."""
    assert conversation.started_at is not None
    contact_id = conversation.id
    voice = conversation.channel is Channel.CALL
    if voice:
        ids = {Role.AGENT: "AGENT", Role.CUSTOMER: "CUSTOMER"}
    else:  # chat output uses opaque participant ids, mapped through Participants
        ids = {role: str(uuid.uuid5(_ID_NAMESPACE, f"{contact_id}/{role.value}")) for role in ids_roles()}
    transcript = []
    for turn in conversation.turns:
        assert turn.start_ms is not None
        item: dict[str, Any] = {
            "Id": str(uuid.uuid5(_ID_NAMESPACE, f"{contact_id}/{turn.index}")),
            "ParticipantId": ids[turn.role],
            "Content": turn.text,
            "BeginOffsetMillis": turn.start_ms,
            "EndOffsetMillis": turn.end_ms if turn.end_ms is not None else turn.start_ms,
            "Sentiment": _vendor_sentiment(turn.text),
        }
        if voice:
            item["LoudnessScore"] = [round(62 + 8 * ((turn.index * 7 + k) % 5) / 4, 2) for k in range(3)]
        else:
            item["AbsoluteTime"] = _stamp(conversation, turn.start_ms).replace("+00:00", ".000Z")
            item["ContentType"] = "text/plain"
            item["Type"] = "MESSAGE"
        transcript.append(item)
    total = max(t.end_ms or t.start_ms or 0 for t in conversation.turns)

    def overall(role: Role) -> float:
        scores = [_SENTIMENT_SCORE[i["Sentiment"]] for i in transcript if i["ParticipantId"] == ids[role]]
        return round(5 * sum(scores) / len(scores), 1)

    def talk(role: Role) -> int:
        return sum((t.end_ms or 0) - (t.start_ms or 0) for t in conversation.turns if t.role is role)

    characteristics: dict[str, Any] = {
        "TotalConversationDurationMillis": total,
        "Sentiment": {
            "OverallSentiment": {"AGENT": overall(Role.AGENT), "CUSTOMER": overall(Role.CUSTOMER)},
        },
    }
    if voice:
        characteristics["TalkTime"] = {
            "TotalTimeMillis": talk(Role.AGENT) + talk(Role.CUSTOMER),
            "DetailsByParticipant": {
                "AGENT": {"TotalTimeMillis": talk(Role.AGENT)},
                "CUSTOMER": {"TotalTimeMillis": talk(Role.CUSTOMER)},
            },
        }
        characteristics["TalkSpeed"] = {
            "DetailsByParticipant": {
                "AGENT": {"AverageWordsPerMinute": 162},
                "CUSTOMER": {"AverageWordsPerMinute": 150},
            }
        }
        characteristics["Interruptions"] = {
            "InterruptionsByInterrupter": {},
            "TotalCount": 0,
            "TotalTimeMillis": 0,
        }
        characteristics["NonTalkTime"] = {"Instances": [], "TotalTimeMillis": 0}
    return {
        "Version": "1.1.0",
        "AccountId": "210987654321",
        "Channel": "VOICE" if voice else "CHAT",
        "ContentMetadata": {"Output": "Raw"},
        "JobStatus": "COMPLETED",
        "LanguageCode": "en-US",
        "Participants": [{"ParticipantId": ids[r], "ParticipantRole": r.value.upper()} for r in ids_roles()],
        "Categories": {
            "MatchedCategories": ["app-update-issue"],
            "MatchedDetails": {
                "app-update-issue": {
                    "PointsOfInterest": [
                        {
                            "BeginOffsetMillis": transcript[1]["BeginOffsetMillis"],
                            "EndOffsetMillis": transcript[1]["EndOffsetMillis"],
                        }
                    ]
                }
            },
        },
        "ConversationCharacteristics": characteristics,
        "CustomerMetadata": {
            "ContactId": contact_id,
            "InstanceId": "c0ffee00-b1a2-4c3d-8e9f-0a1b2c3d4e5f",
            "InputS3Uri": (
                "s3://brightwave-connect/Analysis/"
                + ("Voice" if voice else "Chat")
                + f"/{conversation.started_at:%Y/%m/%d}/{contact_id}.json"
            ),
        },
        "Transcript": transcript,
    }


def ids_roles() -> tuple[Role, Role]:
    """The two participants of a Contact Lens contact, in output order."""
    return (Role.AGENT, Role.CUSTOMER)


def _contact_lens_path(conversation: Conversation) -> str:
    assert conversation.started_at is not None
    stamp = conversation.started_at.strftime("%Y-%m-%dT%H-%M-%SZ")
    return f"{_day(conversation)}/contact-lens/{conversation.id}_analysis_{stamp}.json"


_CCAI_ROLE = {Role.CUSTOMER: "CUSTOMER", Role.AGENT: "AGENT", Role.BOT: "AUTOMATED_AGENT"}
_CCAI_USER = {Role.CUSTOMER: 1, Role.BOT: 2, Role.AGENT: 3}


def write_ccai_entries(conversation: Conversation) -> dict[str, Any]:
    """Google CCAI Insights chat upload format: ``entries[]`` with epoch-microsecond times."""
    assert conversation.started_at is not None
    epoch_us = int(conversation.started_at.timestamp()) * 1_000_000
    return {
        "entries": [
            {
                "start_timestamp_usec": epoch_us + (turn.start_ms or 0) * 1000,
                "text": turn.text,
                "role": _CCAI_ROLE[turn.role],
                "user_id": _CCAI_USER[turn.role],
            }
            for turn in conversation.turns
        ]
    }


def _dump_json(value: Any, indent: int | None = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent) + "\n"


def render_examples(scripted: list[Scripted]) -> dict[str, bytes]:
    """Every example file (path relative to ``examples/``) and its bytes."""
    files: dict[str, bytes] = {}
    grouped: dict[str, list[Conversation]] = {}
    canonical: dict[str, list[Conversation]] = {}
    for item in scripted:
        conversation, sid = item.conversation, item.script_id
        if sid in PLAIN_TEXT:
            grouped.setdefault(PLAIN_TEXT[sid], []).append(conversation)
        elif sid in CSV_TURNS:
            grouped.setdefault(CSV_TURNS[sid], []).append(conversation)
        elif sid in WEBVTT:
            files[WEBVTT[sid]] = write_webvtt(conversation).encode()
        elif sid in CONTACT_LENS:
            files[_contact_lens_path(conversation)] = _dump_json(write_contact_lens(conversation)).encode()
        elif sid in CCAI_INSIGHTS:
            files[CCAI_INSIGHTS[sid]] = _dump_json(write_ccai_entries(conversation)).encode()
        else:
            day = _day(conversation)
            if day in JSON_ARRAY_DAYS:
                path = f"{day}/conversations.json"
            else:
                path = f"{day}/{'calls' if conversation.channel is Channel.CALL else 'chats'}.jsonl"
            canonical.setdefault(path, []).append(conversation)
    for path, conversations in grouped.items():
        conversations.sort(key=lambda c: c.started_at or datetime.min)
        writer = write_csv_turns if path.endswith(".csv") else write_plain_text
        files[path] = writer(conversations).encode()
    for path, conversations in canonical.items():
        conversations.sort(key=lambda c: c.started_at or datetime.min)
        records = [canonical_record(c) for c in conversations]
        if path.endswith(".jsonl"):
            text = "".join(_dump_json(r, indent=None) for r in records)
        else:
            text = _dump_json(records)
        files[path] = text.encode()
    files.update(render_bad_inputs())
    return dict(sorted(files.items()))


# --------------------------------------------------------------------------------------
# Deliberately broken inputs (examples/bad/): each must end up in quarantine
# --------------------------------------------------------------------------------------

BAD_SCRIPTS = r"""
== C-9001 chat cust-2091 2026-11-21T18:02:00
> a-lee
A: Hi, Lee from Technical Support. How can I help?
C: Is there an outage in Oakbridge? My internet went off ten minutes ago
A: Yes, there's a power cut affecting our cabinet on Station Road. The estimate is back by 7pm.
C: ok thanks for letting me know

== C-9002 chat cust-2092 2026-11-21T18:20:00
> a-priya
A: Hi, Priya in Billing here. What can I do for you?
C: Can I get a copy of my October bill as a PDF?
A: Of course. I've emailed it to the address on your account just now.
C: got it, thank you

== C-9003 chat cust-2093 2026-11-21T18:41:00
> a-jamal
A: Hello, Jamal from Accounts & Retention. How can I help?
C: What's the notice period if I want to cancel my broadband?
A: It's 30 days, and as you're out of contract there's no exit fee.
C: thanks, just checking

== C-9101 call cust-2094 2026-11-21T19:05:00
> a-maria
A: Billing, Maria speaking. How can I help?
C: Hi, I'd like to know why my bill went up by $4 this month.
A: The annual price change took effect on the 1st of November. It was announced in September.
C: Right, I must have missed that letter.

== C-9201 chat cust-2095 2026-11-21T19:30:00
> a-grace
A: Hi, Grace from Technical Support. How can I help?
C: here is a photo of the router lights
A: Thanks, that's helpful. The red light means the fibre signal is lost, so I'll book an engineer.

== C-9301 call cust-2096 2026-11-21T19:45:00
> a-sofia
A: Good evening, Sofia in Accounts and Retention. How can I help?
C: Buenas tardes. Mi madre quiere cancelar el contrato.
A: Of course. Could your interpreter let your mother know I'm happy to help?

== C-9401 chat cust-2097 2026-11-21T20:05:00
> a-tomas
A: Hi, Tomas from Technical Support. How can I help?
C: The café wifi on my work account won't connect – it says “authentication failed”.
A: That’s the new password policy. I’ve reset it; try again in a minute.
C: Works now, cheers – €0 charge I hope!

== C-9501 call cust-2098 2026-11-21T20:30:00
> a-lee
A: Technical Support, Lee speaking.
C: Hi, my router's making a clicking noise.
A: That's not normal, I'll send a replacement today.
"""


def render_bad_inputs() -> dict[str, bytes]:
    """Broken files that exercise quarantine, one reason each (see examples/README.md)."""
    scripted = {s.script_id: s.conversation for s in parse_scripts(BAD_SCRIPTS)}
    files: dict[str, bytes] = {}
    good = [canonical_record(scripted[sid]) for sid in ("C-9001", "C-9002", "C-9003")]
    lines = [json.dumps(r, ensure_ascii=False) for r in good]
    # A line someone "fixed" by hand, pasting a Python dict (single quotes) between good ones.
    lines.insert(2, repr({"id": "C-9004", "channel": "chat", "customer_id": "cust-2099", "turns": []}))
    files["bad/one-bad-line.jsonl"] = ("\n".join(lines) + "\n").encode()
    # An export interrupted after the third turn: the file simply stops.
    whole = _dump_json(canonical_record(scripted["C-9101"]))
    cut = whole.index("{", whole.index('"index": 2,') + 1)
    files["bad/truncated-export.json"] = whole[:cut].encode()
    empty = canonical_record(scripted["C-9201"])
    empty["turns"][1]["text"] = ""  # a chat message that was only an image attachment
    files["bad/empty-turn.jsonl"] = _dump_json(empty, indent=None).encode()
    unknown = canonical_record(scripted["C-9301"])
    unknown["turns"][1]["role"] = "interpreter"
    files["bad/unknown-role.jsonl"] = _dump_json(unknown, indent=None).encode()
    files["bad/excel-export-cp1252.csv"] = write_csv_turns([scripted["C-9401"]]).encode("cp1252")
    speaker = write_plain_text([scripted["C-9501"]]).replace(
        "Agent (Lee): That's not normal",
        "Speaker 3: That's not normal",  # unmapped diarisation label
    )
    files["bad/unknown-speaker.txt"] = speaker.encode()
    junk = random.Random("corrupt-upload")
    files["bad/corrupt-upload.dat"] = bytes(
        0 if junk.random() < 0.2 else junk.randrange(256) for _ in range(4096)
    )
    return files


# --------------------------------------------------------------------------------------


def build(out: Path) -> list[Path]:
    """Write every example file under ``out``; return the paths.

    The folders it writes (one per day, ``bad/``) are replaced whole, so a file dropped from
    the scripts disappears too; anything else in ``out`` (README.md) is left alone.
    """
    files = render_examples(parse_scripts())
    for top in sorted({Path(relative).parts[0] for relative in files}):
        if (out / top).is_dir():
            shutil.rmtree(out / top)
    written = []
    for relative, data in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples")
    args = parser.parse_args()
    written = build(args.out)
    print(f"wrote {len(written)} files under {args.out}")


if __name__ == "__main__":
    main()
