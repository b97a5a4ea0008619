package mywhooshfake

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"errors"
)

var errBadCiphertext = errors.New("bad ciphertext")

// BodyPassphrase is the CryptoJS passphrase the 2026 web app encrypts
// rider-profile bodies with (reference, section 3).
const BodyPassphrase = "D9436E508087E863"

// keyIV derives AES-256 key and IV from passphrase and salt the way OpenSSL's
// EVP_BytesToKey does with MD5 and one round (CryptoJS passphrase mode).
func keyIV(pass, salt []byte) (key, iv []byte) {
	var out, prev []byte
	for len(out) < 48 {
		h := md5.New()
		h.Write(prev)
		h.Write(pass)
		h.Write(salt)
		prev = h.Sum(nil)
		out = append(out, prev...)
	}
	return out[:32], out[32:48]
}

// EncryptBody encrypts plain as CryptoJS.AES.encrypt(plain, BodyPassphrase)
// would, returning the Base64 text. Tests use it to send encrypted bodies.
func EncryptBody(plain []byte) string {
	salt := make([]byte, 8)
	_, _ = rand.Read(salt)
	key, iv := keyIV([]byte(BodyPassphrase), salt)
	block, _ := aes.NewCipher(key)
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	buf := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(append(append([]byte("Salted__"), salt...), buf...))
}

func decryptBody(text string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) < 16+aes.BlockSize || string(raw[:8]) != "Salted__" || (len(raw)-16)%aes.BlockSize != 0 {
		return nil, errBadCiphertext
	}
	key, iv := keyIV([]byte(BodyPassphrase), raw[8:16])
	block, _ := aes.NewCipher(key)
	buf := append([]byte(nil), raw[16:]...)
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(buf, buf)
	pad := int(buf[len(buf)-1])
	if pad < 1 || pad > aes.BlockSize || pad > len(buf) || !bytes.Equal(buf[len(buf)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errBadCiphertext
	}
	return buf[:len(buf)-pad], nil
}
