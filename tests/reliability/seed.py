"""Seed a private database for fault tests and the load benchmark; prints a JSON report.

Run as `python -m tests.reliability.seed --annotators=N --documents=M --per-document=K`
with DATABASE_URL pointing at a migrated database: N annotators and one project admin
("admin"), who sign in with API tokens only.
"""

import argparse
import json
import os

import django

WORDS = " ".join(
    [
        "The minister said unemployment fell by a third last year while a spokesman for",
        "the opposition called that figure false and misleading according to official",
        "statistics",
    ]
).split(" ")


def article_text(number: int, words: int = 120) -> str:
    """A deterministic article of `words` words, different for each document number."""
    return " ".join(WORDS[(number + i) % len(WORDS)] for i in range(words)) + "."


def word_bounds(text: str, word: int) -> tuple[int, int]:
    """The code-point offsets of the word-th word of a seeded article."""
    start = sum(len(w) + 1 for w in text.split(" ")[:word])
    return start, start + len(text.split(" ")[word])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--annotators", type=int, default=4)
    parser.add_argument("--documents", type=int, default=2)
    parser.add_argument("--per-document", type=int, default=2)
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from annotations.models import Assignment, Document, Membership, Project, Role
    from annotations.schema import default_schema
    from annotations.text import text_hash

    user_model = get_user_model()
    project = Project.objects.create(
        name="Fault and load", label_schema=default_schema(), annotators_per_document=1
    )
    tokens = {}
    users = []
    for n in range(options.annotators):
        user = user_model(username=f"annotator{n:02d}")
        user.set_unusable_password()
        user.save()
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        tokens[user.username] = Token.objects.create(user=user).key
        users.append(user)
    admin = user_model(username="admin")
    admin.set_unusable_password()
    admin.save()
    Membership.objects.create(project=project, user=admin, role=Role.ADMIN)
    admin_token = Token.objects.create(user=admin).key
    documents = []
    for number in range(options.documents):
        text = article_text(number)
        document = Document.objects.create(
            project=project, title=f"Article {number}", text=text, text_hash=text_hash(text)
        )
        assigned = [users[(number + k) % len(users)] for k in range(options.per_document)]
        for user in assigned:
            Assignment.objects.create(document=document, annotator=user)
        documents.append(
            {"id": document.pk, "text": text, "annotators": [u.username for u in assigned]}
        )
    report = {"project": project.pk, "tokens": tokens, "documents": documents}
    print(json.dumps({**report, "admin_token": admin_token}))


if __name__ == "__main__":
    main()
