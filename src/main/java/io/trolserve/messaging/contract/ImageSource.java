package io.trolserve.messaging.contract;

/** Where a request's image comes from: bytes carried in the record, or a URL fetched later. */
public sealed interface ImageSource permits InlineImage, UrlImage {}
