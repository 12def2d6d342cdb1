"""The feedback form's fields, their limits and the messages shown about them.

Messages are English msgids marked with :func:`N_`; the service translates them into the
form's language from the theme's catalogs when it shows them, exactly as the templates do.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for the catalogs; it is translated when shown, in the form's language."""
    return message


LIMITS = {"name": 100, "email": 254, "message": 5000, "topic": 40, "page": 2000,
          "lang": 10, "helpful": 3, "answer": 6, "token": 400, "website": 200, "consent": 3,
          "publish": 3, "booking": 600}
MAX_BODY = 32 * 1024  # bytes; the whole form, all fields, well above any real message

MESSAGES = {
    "required_message": N_("Please write your message."),
    "email": N_("Please give an e-mail address we can answer to, such as name@example.com, "
                "or leave the field empty."),
    "topic": N_("Please choose a topic from the list."),
    "consent": N_("Please tick the box to let us store your message and answer it."),
    "too_long": N_("This is too long: at most %(max)s characters, please."),
    "html": N_("Please write plain text, without HTML tags or scripts."),
    "control": N_("This contains characters that cannot be shown. Please retype it."),
    "line_break": N_("Please write this on one line."),
    "helpful": N_("Please choose yes or no."),
    "page": N_("The form was sent from an unknown page."),
    "lang": N_("The form's language is unknown."),
    "expired": N_("The form expired. Please check your message and send it again."),
    "too_fast": N_("That was very fast. Please check your message and send it again."),
    "confirm": N_("Please check your message and press Send to confirm."),
    "question": N_("Please answer the question with a number."),
    "wrong_answer": N_("That answer is not right. Please try again."),
    "rate": N_("Too many messages from your address. Please try again in a few minutes."),
    "origin": N_("This form can only be sent from our own website."),
    "too_big": N_("The form is too large to send."),
    "content_type": N_("The form was sent in a format we do not accept."),
    "encoding": N_("The form contains text that is not valid UTF-8."),
    "too_slow": N_("The form took too long to arrive. Please send it again."),
    "fix_fields": N_("Please correct the marked fields."),
    "thanks": N_("Thank you! We received your message and will answer within %(hours)s hours."),
    "thanks_helpful": N_("Thank you for your feedback!"),
    "heading": N_("Your message"),
}

# Topics the theme has a translated label for; any other topic shows the label the site gave
# in LUOTSI_FEEDBACK['topic_labels'] (or its key).
TOPIC_LABELS = {
    "general": N_("General question"),
    "booking": N_("Booking or a trip"),
    "website": N_("This website"),
    "praise": N_("Praise"),
    "complaint": N_("Complaint"),
}
