"""Comments as a resource nested under their object, and the object's activity feed:

    /api/v1/collab/{target}/{target_id}/comments/        GET list, POST create (or reply)
    /api/v1/collab/{target}/{target_id}/comments/{id}/   GET, PUT/PATCH (edit), DELETE
    /api/v1/collab/{target}/{target_id}/activity/        GET the feed (a program's: the program feed)

`target` is a collab target slug (program, project, risk, gate, …). An object the user cannot
see is 404 for every route; anyone who sees it may read and post; only the author edits (within
the edit window) and deletes (403 for others). Deleted comments stay listed, body blank.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import ErrorSerializer

from ..selectors.comments import comment_for, comments_on
from ..selectors.feed import MAX_PAGE_SIZE, PAGE_SIZE, BadCursorError, object_feed
from ..services.comments import NOT_AUTHOR, PARENT_ELSEWHERE, comment_create, comment_delete, comment_edit
from ..targets import TARGETS, target_object
from .serializers import CommentCreateSerializer, CommentEditSerializer, CommentSerializer, FeedSerializer

TARGET_PARAMS = [
    OpenApiParameter("target", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(TARGETS),
                     description="The kind of object the comments are on."),
    OpenApiParameter("target_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The object's id."),
]  # fmt: skip
ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The comment's id.")
E = ErrorSerializer


class _OnTarget:
    def get_target(self):
        if not hasattr(self, "_target"):
            self._target = target_object(
                slug=self.kwargs["target"], pk=self.kwargs["target_id"], user=self.request.user
            )
        if self._target is None:
            raise Http404
        return self._target


@extend_schema_view(
    list=extend_schema(parameters=TARGET_PARAMS, responses={200: CommentSerializer(many=True), 404: E}),
    retrieve=extend_schema(parameters=[*TARGET_PARAMS, ID_PARAM], responses={200: CommentSerializer, 404: E}),
    create=extend_schema(
        parameters=TARGET_PARAMS,
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, 400: E, 404: E},
        description=(
            "Post a comment, or a reply with `parent`. Every @username must name someone who can see "
            "the object, else 400 and nothing is posted; each of them is notified."
        ),
    ),
    update=extend_schema(
        parameters=[*TARGET_PARAMS, ID_PARAM],
        request=CommentEditSerializer,
        responses={200: CommentSerializer, 400: E, 403: E, 404: E},
        description="Edit your own comment within the edit window (KEEL_COMMENT_EDIT_MINUTES); the old body is kept.",
    ),
    partial_update=extend_schema(
        parameters=[*TARGET_PARAMS, ID_PARAM],
        request=CommentEditSerializer,
        responses={200: CommentSerializer, 400: E, 403: E, 404: E},
    ),
    destroy=extend_schema(
        parameters=[*TARGET_PARAMS, ID_PARAM],
        responses={204: None, 403: E, 404: E},
        description="Delete your own comment: it stays in its thread as deleted; its body is kept in the history.",
    ),
)
class CommentViewSet(
    _OnTarget,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The comments on one object, oldest first (replies name their `parent`)."""

    serializer_class = CommentSerializer
    filter_backends: list = []

    def get_queryset(self):
        return comments_on(self.get_target()).select_related("author").order_by("created_at", "id")

    def create(self, request, *args, **kwargs):
        target = self.get_target()
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent"):
            parent = comment_for(obj=target, pk=data.validated_data["parent"])
            if parent is None:
                raise exceptions.ValidationError({"parent": [PARENT_ELSEWHERE]})
        comment = comment_create(user=request.user, target=target, body=data.validated_data["body"], parent=parent)
        comment = self.get_queryset().get(pk=comment.pk)
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)

    def _own(self):
        comment = self.get_object()
        if comment.author_id != self.request.user.pk:
            raise exceptions.PermissionDenied(NOT_AUTHOR)
        return comment

    def update(self, request, *args, **kwargs):
        comment = self._own()
        data = CommentEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment_edit(user=request.user, comment=comment, body=data.validated_data["body"])
        return Response(self.get_serializer(self.get_queryset().get(pk=comment.pk)).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        comment_delete(user=request.user, comment=self._own())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivityView(_OnTarget, APIView):
    """What happened to one object, newest first: comments, uploads, status changes and audit
    entries. A program's activity is everything in the program that you can see."""

    @extend_schema(
        parameters=[
            *TARGET_PARAMS,
            OpenApiParameter("cursor", OpenApiTypes.STR, description="`next_cursor` of the previous page."),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                description=f"Items a page ({PAGE_SIZE}; at most {MAX_PAGE_SIZE}).",
            ),
        ],
        responses={200: FeedSerializer, 400: E, 404: E},
    )
    def get(self, request, *args, **kwargs):
        target = self.get_target()
        page_size = request.query_params.get("page_size", PAGE_SIZE)
        try:
            page_size = int(page_size)
        except (TypeError, ValueError):
            raise exceptions.ValidationError({"page_size": ["A whole number is required."]}) from None
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise exceptions.ValidationError({"page_size": [f"Between 1 and {MAX_PAGE_SIZE}."]})
        try:
            feed = object_feed(obj=target, user=request.user, cursor=request.query_params.get("cursor"),
                               page_size=page_size)  # fmt: skip
        except BadCursorError as error:
            raise exceptions.ValidationError({"cursor": [str(error)]}) from None
        return Response(FeedSerializer({"results": feed.items, "next_cursor": feed.next_cursor}).data)


comments = CommentViewSet.as_view({"get": "list", "post": "create"})
comment = CommentViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"})
