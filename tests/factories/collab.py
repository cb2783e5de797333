import factory
from django.contrib.contenttypes.models import ContentType

from collab.models import Comment
from collab.targets import program_id_of

from .users import UserFactory


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on `target` (required: any object of collab.targets), written straight to the
    table (use collab.services.comments to test the rules)."""

    class Meta:
        model = Comment
        exclude = ["target"]

    target = None
    content_type = factory.LazyAttribute(lambda c: ContentType.objects.get_for_model(type(c.target)))
    object_id = factory.LazyAttribute(lambda c: c.target.pk)
    program_id = factory.LazyAttribute(lambda c: program_id_of(c.target))
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}")
