package mywhoosh

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
)

// bodyPassphrase is the CryptoJS passphrase one 2026 web-app client encrypts
// service14 bodies with (reference, section 3).
const bodyPassphrase = "D9436E508087E863"

// encryptBody returns what CryptoJS.AES.encrypt(text, passphrase).toString()
// gives: Base64 of "Salted__", an 8-byte salt and AES-256-CBC with PKCS#7,
// key and IV derived by OpenSSL's EVP_BytesToKey (MD5, one round).
func encryptBody(plain []byte) string {
	salt := make([]byte, 8)
	_, _ = rand.Read(salt)
	var derived, prev []byte
	for len(derived) < 48 {
		h := md5.New()
		h.Write(prev)
		h.Write([]byte(bodyPassphrase))
		h.Write(salt)
		prev = h.Sum(nil)
		derived = append(derived, prev...)
	}
	block, _ := aes.NewCipher(derived[:32])
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	buf := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, derived[32:48]).CryptBlocks(buf, buf)
	out := append([]byte("Salted__"), salt...)
	return base64.StdEncoding.EncodeToString(append(out, buf...))
}
