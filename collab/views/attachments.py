"""collab views: attachments (see collab.urls).

PLACEHOLDER from the comments branch (collab-a), so that `{% collab_panel %}` renders before the
attachments branch lands: an empty section for objects the user can see. The attachments
branch (collab-b) replaces this module.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import path

from ..targets import target_object


@login_required
def attachments_placeholder(request, slug: str, pk: int):
    if target_object(slug=slug, pk=pk, user=request.user) is None:
        raise Http404
    return HttpResponse('<h2>Attachments</h2>\n<p class="empty">No attachments.</p>\n')


urlpatterns = [
    path("<slug:slug>/<int:pk>/attachments/", attachments_placeholder, name="attachments"),
]
