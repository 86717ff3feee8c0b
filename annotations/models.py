"""The data model. See DESIGN.md § Data model; offsets count Unicode code points."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Role(models.TextChoices):
    ANNOTATOR = "annotator", "Annotator"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


ROLE_RANK = {Role.ANNOTATOR: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class Project(models.Model):
    name = models.CharField(max_length=200)
    guidelines = models.TextField(blank=True, default="")
    label_schema = models.JSONField()
    schema_version = models.PositiveIntegerField(default=1)
    annotators_per_document = models.PositiveSmallIntegerField(default=2)
    allow_overlap = models.BooleanField(default=True)
    rating_scale = models.JSONField(default=list, blank=True)
    organization = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annotators_per_document__gte=1), name="project_annotators_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANNOTATOR)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} as {self.role}"


class DocumentStatus(models.TextChoices):
    OPEN = "open", "Open"
    PARTIALLY_SUBMITTED = "partially_submitted", "Partially submitted"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    ACCEPTED = "accepted", "Accepted"


class Document(models.Model):
    """An article. `text` is NFC with `\\n` line endings, fixed at import and never changed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=500)
    text = models.TextField()
    text_hash = models.CharField(max_length=64, db_index=True)
    language = models.CharField(max_length=35, blank=True, default="")
    source_url = models.URLField(max_length=2000, blank=True, default="")
    outlet = models.CharField(max_length=300, blank=True, default="")
    author = models.CharField(max_length=300, blank=True, default="")
    published_at = models.DateField(null=True, blank=True)
    retrieved_at = models.DateTimeField(null=True, blank=True)
    retrieved_from = models.CharField(max_length=2000, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=24, choices=DocumentStatus.choices, default=DocumentStatus.OPEN
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Review lease: the editor adjudicating this document, until the lease expires.
    lease_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Background work is recorded here before any broker hears of it: every change that
    # needs recomputation bumps work_seq; a task that finished the work for sequence N sets
    # its *_done_seq to N. Anything with done < work is dirty and the sweep will find it.
    work_seq = models.PositiveBigIntegerField(default=0)
    work_changed_at = models.DateTimeField(null=True, blank=True)
    counts_done_seq = models.PositiveBigIntegerField(default=0)
    agreement_done_seq = models.PositiveBigIntegerField(default=0)
    label_counts = models.JSONField(default=dict, blank=True)
    agreement_value = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["project", "status"], name="document_project_status"),
            models.Index(fields=["project", "text_hash"], name="document_project_hash"),
            # The review queue: its counts per state read this index alone, never the rows
            # (whose article text makes a scan of the table slow)...
            models.Index(
                fields=["project", "status", "deleted_at", "id"], name="document_queue_states"
            ),
            # ...and its default order, lowest agreement first, walks this one (PostgreSQL
            # puts nulls last in an ascending index, as the queue wants undefined agreement).
            models.Index(fields=["agreement_value", "id"], name="document_queue_order"),
        ]

    def __str__(self) -> str:
        return self.title


class AssignmentKind(models.TextChoices):
    ANNOTATOR = "annotator", "Annotator"
    GOLD = "gold", "Gold"
    PREANNOTATION = "preannotation", "Pre-annotation"


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


#: Finished work: an annotator's layer in these statuses is read-only to them and counts
#: (label counts, agreement, the review queue, comparison, quality, exports).
DONE_STATUSES = (AssignmentStatus.SUBMITTED, AssignmentStatus.ACCEPTED)


class Assignment(models.Model):
    """One layer of spans on a document: an annotator's, the gold one, or imported ones."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    kind = models.CharField(
        max_length=16, choices=AssignmentKind.choices, default=AssignmentKind.ANNOTATOR
    )
    status = models.CharField(
        max_length=24, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "annotator"],
                condition=Q(kind="annotator"),
                name="assignment_one_per_annotator",
            ),
            models.UniqueConstraint(
                fields=["document"], condition=Q(kind="gold"), name="assignment_one_gold"
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(kind="preannotation"),
                name="assignment_one_preannotation",
            ),
            models.CheckConstraint(
                condition=Q(kind="preannotation") | Q(annotator__isnull=False),
                name="assignment_annotator_required",
            ),
        ]
        indexes = [models.Index(fields=["annotator", "status"], name="assignment_annotator_status")]

    def __str__(self) -> str:
        return f"{self.kind} layer of {self.annotator} on document {self.document_id}"


class Span(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="spans")
    label = models.CharField(max_length=64)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    prefix = models.TextField(blank=True, default="")
    suffix = models.TextField(blank=True, default="")
    attributes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True, default="")
    client_id = models.UUIDField(null=True, blank=True)
    # Where a gold span came from (merge strategy, votes, source spans); empty otherwise.
    provenance = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="span_start_non_negative"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="span_end_after_start"),
            models.UniqueConstraint(
                fields=["assignment", "client_id"],
                condition=Q(client_id__isnull=False),
                name="span_client_id_unique",
            ),
            models.UniqueConstraint(fields=["id", "assignment"], name="span_id_assignment"),
        ]

    def __str__(self) -> str:
        return f"{self.label} [{self.start}, {self.end})"


class Relation(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="relations")
    type = models.CharField(max_length=64)
    from_span = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="relations_from")
    to_span = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="relations_to")
    client_id = models.UUIDField(null=True, blank=True)
    provenance = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_span=F("to_span")), name="relation_distinct_endpoints"
            ),
            models.UniqueConstraint(
                fields=["assignment", "client_id"],
                condition=Q(client_id__isnull=False),
                name="relation_client_id_unique",
            ),
            models.UniqueConstraint(
                fields=["type", "from_span", "to_span"], name="relation_unique_edge"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_span_id} {self.type} {self.to_span_id}"


class Verdict(models.Model):
    """An editor's rating of a gold claim, exported as schema.org ClaimReview."""

    span = models.OneToOneField(Span, on_delete=models.CASCADE, related_name="verdict")
    rating = models.CharField(max_length=64)
    summary = models.CharField(max_length=75, blank=True, default="")
    explanation = models.TextField(blank=True, default="")
    evidence_links = models.JSONField(default=list, blank=True)
    fact_check_url = models.URLField(max_length=2000, blank=True, default="")
    claimant = models.CharField(max_length=300, blank=True, default="")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.rating} on span {self.span_id}"


class Comment(models.Model):
    """A message in a document's thread between editors and annotators."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk} on document {self.document_id}"


class CandidateDecision(models.Model):
    """An editor's decision on a merge candidate, kept when the gold layer is re-merged.

    A candidate is named by its key (annotations.merge): ``claim:4:12`` for a span,
    ``attributed_to>claim:4:12>attribution:39:48`` for a relation. The gold span an
    accepted candidate became may be edited later; the decision still stands.
    """

    class Kind(models.TextChoices):
        SPAN = "span", "Span"
        RELATION = "relation", "Relation"

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="candidate_decisions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    candidate = models.CharField(max_length=400)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "candidate"], name="candidate_decision_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} {self.kind} {self.candidate} on document {self.document_id}"


class AgreementResult(models.Model):
    """One agreement figure, with the sufficient statistics it was computed from."""

    class Scope(models.TextChoices):
        DOCUMENT = "document", "Document"
        PROJECT = "project", "Project"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="agreement_results"
    )
    scope = models.CharField(max_length=16, choices=Scope.choices)
    metric = models.CharField(max_length=64)
    label = models.CharField(max_length=64, blank=True, default="")
    value = models.FloatField(null=True, blank=True)
    statistics = models.JSONField(default=dict, blank=True)
    inputs_fingerprint = models.CharField(max_length=64, blank=True, default="")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "metric", "label"],
                condition=Q(document__isnull=False),
                name="agreement_unique_document_figure",
            ),
            models.UniqueConstraint(
                fields=["project", "metric", "label"],
                condition=Q(document__isnull=True),
                name="agreement_unique_project_figure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric}[{self.label or 'all'}] = {self.value}"


class Job(models.Model):
    """A background import or export: recorded here first, then a worker is woken."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    format = models.CharField(max_length=32)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    input_file = models.CharField(max_length=500, blank=True, default="")
    result_file = models.CharField(max_length=500, blank=True, default="")
    report = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "claimed_at"], name="job_status_claimed")]

    def __str__(self) -> str:
        return f"{self.kind} {self.format} job {self.pk} ({self.status})"


class AuditEvent(models.Model):
    """Who did what to which object, with its state before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id} by {self.actor_id}"
