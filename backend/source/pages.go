package source

import "context"

// pagesKey carries a listing's page listener in its context.
type pagesKey struct{}

// WithPages returns a context whose listing reports each page it starts to
// read to heard, so a rider sees "page 3, 60 found" while a long history
// is listed. The engine sets it; platforms only call ListingPage.
func WithPages(ctx context.Context, heard func(page int)) context.Context {
	if heard == nil {
		return ctx
	}
	return context.WithValue(ctx, pagesKey{}, heard)
}

// ListingPage tells the listing's listener, if any, that page n (1-based)
// of the listing is being read. A platform that lists by date windows
// counts each window as a page; a folder has no pages and never calls it.
// It is called from the goroutine that calls List's yield, between yields.
func ListingPage(ctx context.Context, n int) {
	if heard, ok := ctx.Value(pagesKey{}).(func(int)); ok {
		heard(n)
	}
}
