package mywhoosh

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"fitbridge/backend/source"
)

// errLinkExpired is a bucket 403: the signed URL's lifetime is over.
var errLinkExpired = errors.New("the MyWhoosh download link expired")

type linkRequest struct {
	FileID string `json:"fileId"`
	Key    string `json:"key,omitempty"`
}

// Download fetches the ride's FIT file: a signed link from service14, then
// the file from the bucket without any credentials. An expired link is asked
// for again once.
func (cl *Client) Download(ctx context.Context, a source.Activity) ([]byte, error) {
	fid := a.Extra["fileId"]
	if fid == "" {
		return nil, source.Skip("%s", NoFileReason)
	}
	for try := 0; ; try++ {
		link, err := cl.signedURL(ctx, fid)
		if err != nil {
			return nil, fmt.Errorf("MyWhoosh ride %s: %w", a.RemoteID, err)
		}
		data, err := cl.fetch(ctx, link)
		if errors.Is(err, errLinkExpired) && try == 0 {
			cl.log.Info("download link expired; asking for a new one", "id", a.RemoteID)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("MyWhoosh ride %s: %w", a.RemoteID, err)
		}
		return data, nil
	}
}

const linkPath = "/v2/rider/profile/download-activity-file"

// signedURL asks service14 for the file's signed bucket URL. Clients that
// send "key" take it from a login's WhooshId; the web client sends fileId
// alone. So the key goes only with a WhooshId from a login; otherwise fileId
// goes alone, and again with the token's user id only if that is refused.
func (cl *Client) signedURL(ctx context.Context, fileID string) (*url.URL, error) {
	key := cl.whooshID
	if key == "" && cl.keyNeeded.Load() {
		key = cl.tokenUserID
	}
	env, err := cl.profile(ctx, linkPath, linkRequest{FileID: fileID, Key: key})
	if err != nil && key == "" && cl.tokenUserID != "" && refusedLink(err) {
		cl.log.Info("MyWhoosh refused the download link without a key; asking with the token's user id", "error", err)
		env, err = cl.profile(ctx, linkPath, linkRequest{FileID: fileID, Key: cl.tokenUserID})
		if err == nil {
			cl.keyNeeded.Store(true)
			key = cl.tokenUserID
		}
	}
	if err != nil {
		return nil, err
	}
	raw := linkFrom(env)
	if raw == "" {
		return nil, fmt.Errorf("MyWhoosh gave no download link (keys %s)", env.keys())
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("MyWhoosh gave a download link that is not a URL")
	}
	cl.log.Debug("download link", "keys", env.keys(), "code", env.str("code"), "host", u.Host,
		"x_amz_expires", u.Query().Get("X-Amz-Expires"), "key_sent", key != "")
	if !cl.allowedDownload(u) {
		return nil, fmt.Errorf("MyWhoosh's download link points to a host that is not allowed: %s", u.Host)
	}
	return u, nil
}

// refusedLink: the link call was refused for what it asked, not for the
// session (a dead session is not cured by a key).
func refusedLink(err error) bool {
	return refusedForm(err) && !errors.Is(err, source.ErrNeedsSignIn)
}

// linkFrom reads data as a plain string, else data.url, downloadUrl or fileUrl.
func linkFrom(env envelope) string {
	if raw, ok := env["data"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			return strings.TrimSpace(s)
		}
		var inner envelope
		if json.Unmarshal(raw, &inner) == nil {
			for _, k := range []string{"url", "downloadUrl", "fileUrl"} {
				if s := inner.str(k); s != "" {
					return strings.TrimSpace(s)
				}
			}
		}
	}
	for _, k := range []string{"downloadUrl", "fileUrl", "url"} {
		if s := env.str(k); s != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// allowedDownload keeps downloads on S3, CloudFront and MyWhoosh's own hosts
// (plus the overriding base URL's host), so a bad link cannot send the app
// anywhere else.
func (cl *Client) allowedDownload(u *url.URL) bool {
	if cl.baseHost != "" && strings.EqualFold(u.Host, cl.baseHost) && (u.Scheme == "http" || u.Scheme == "https") {
		return true
	}
	if u.Scheme != "https" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, suffix := range []string{".amazonaws.com", ".cloudfront.net", ".mywhoosh.com"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return host == "mywhoosh.com"
}

var s3Code = regexp.MustCompile(`<Code>([^<]*)</Code>`)

// fetch GETs the signed URL with the download client: no Authorization, no
// cookies, as many at once as the declared Limits allow.
func (cl *Client) fetch(ctx context.Context, u *url.URL) ([]byte, error) {
	where := u.Scheme + "://" + u.Host + u.Path
	data, hdr, err := cl.do(ctx, call{method: http.MethodGet, url: u.String(), client: cl.dl, file: true})
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) {
			code := ""
			if m := s3Code.FindStringSubmatch(he.Body); m != nil {
				code = m[1]
			}
			if he.Status == http.StatusForbidden {
				cl.log.Debug("bucket refused the link", "url", where, "s3_code", code)
				return nil, fmt.Errorf("%w (S3 %s)", errLinkExpired, code)
			}
			return nil, fmt.Errorf("the FIT file could not be fetched from %s (HTTP %d %s)", u.Host, he.Status, code)
		}
		return nil, err
	}
	head := data[:min(12, len(data))]
	cl.log.Debug("downloaded", "url", where, "bytes", len(data), "content_type", hdr.Get("Content-Type"),
		"content_encoding", hdr.Get("Content-Encoding"), "content_disposition", hdr.Get("Content-Disposition"),
		"head", hex.EncodeToString(head))
	if err := checkFIT(data, hdr.Get("Content-Type")); err != nil {
		return nil, err
	}
	return data, nil
}

// checkFIT accepts a FIT file (".FIT" at bytes 8-11), gzipped or not. The
// bytes are returned unchanged either way; the caller sniffs gzip itself.
func checkFIT(data []byte, contentType string) error {
	b := data
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("MyWhoosh sent a broken gzip file (%d bytes): %w", len(data), err)
		}
		head := make([]byte, 12)
		n, _ := io.ReadFull(zr, head)
		b = head[:n]
	}
	if len(b) >= 12 && string(b[8:12]) == ".FIT" {
		return nil
	}
	if contentType == "" {
		contentType = "no content type"
	}
	start := strings.Join(strings.Fields(string(data[:min(40, len(data))])), " ")
	return fmt.Errorf("MyWhoosh sent something that is not a FIT file: %d bytes, %s, starting %q", len(data), contentType, start)
}
