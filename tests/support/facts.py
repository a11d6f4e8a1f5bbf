"""The service file's facts marked confirm_before_live (bot/service/derby.yml), in its order:
the list going live must name, and the one the unit tests pin."""

EVERY_UNCONFIRMED = [
    "irt.phone",
    "out_of_hours.phone",
    "online_referral_form.url",
    "adults.phone",
    "county_front_door.phone",
    "escalation.policy",
    "line.bank_holidays",
    "irt.opens",
    "irt.closes",
    "irt.telephone_referral_followup_hours",
    "out_of_hours.name",
    "out_of_hours.hours",
]
