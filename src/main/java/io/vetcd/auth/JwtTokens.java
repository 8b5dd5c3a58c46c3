package io.vetcd.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.Date;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * etcd's JWT tokens ({@code --auth-token jwt,pub-key=…,priv-key=…,sign-method=…,ttl=…}): claims
 * {@code username}, {@code revision} and {@code exp}, signed with RS*, PS*, ES* or HS* as etcd accepts
 * them. Any member holding the key verifies any member's token; nothing is kept in memory. With
 * only a public key the member verifies but cannot issue tokens (etcd's verify-only mode).
 */
public final class JwtTokens implements TokenProvider {
    private final JWSAlgorithm alg;
    private final JWSSigner signer;     // null: verify-only
    private final JWSVerifier verifier;
    private final long ttlMillis;
    private final LongSupplier wallMillis;

    private JwtTokens(JWSAlgorithm alg, JWSSigner signer, JWSVerifier verifier, long ttlMillis, LongSupplier wallMillis) {
        this.alg = alg;
        this.signer = signer;
        this.verifier = verifier;
        this.ttlMillis = ttlMillis;
        this.wallMillis = wallMillis;
    }

    /** From {@code --auth-token}'s options; fails with a message naming what is wrong (start-up stops). */
    public static JwtTokens fromOptions(Map<String, String> opts, LongSupplier wallMillis) {
        String method = opts.getOrDefault("sign-method", "");
        JWSAlgorithm alg = JWSAlgorithm.parse(method);
        boolean rsa = JWSAlgorithm.Family.RSA.contains(alg);
        boolean ec = JWSAlgorithm.Family.EC.contains(alg);
        boolean hmac = JWSAlgorithm.Family.HMAC_SHA.contains(alg);
        if (!rsa && !ec && !hmac) throw new IllegalArgumentException("auth: invalid auth signature method: " + method);
        long ttl = opts.containsKey("ttl") ? GoDuration.millis(opts.get("ttl")) : 5 * 60_000L;
        byte[] pub = read(opts.get("pub-key"));
        byte[] priv = read(opts.get("priv-key"));
        try {
            if (hmac) {
                if (priv == null) throw new IllegalArgumentException("auth: missing key data");
                return new JwtTokens(alg, new MACSigner(priv), new MACVerifier(priv), ttl, wallMillis);
            }
            PrivateKey privateKey = priv == null ? null : privateKey(priv);
            PublicKey publicKey = pub == null ? null : publicKey(pub);
            if (privateKey == null && publicKey == null) throw new IllegalArgumentException("auth: missing key data");
            if (rsa) {
                if (privateKey != null && !(privateKey instanceof RSAPrivateKey)) throw new IllegalArgumentException("auth: private key is not an RSA key");
                if (publicKey == null) publicKey = rsaPublicOf((RSAPrivateKey) privateKey);
                if (!(publicKey instanceof RSAPublicKey rp)) throw new IllegalArgumentException("auth: public key is not an RSA key");
                if (privateKey != null && !((RSAPrivateKey) privateKey).getModulus().equals(rp.getModulus())) {
                    throw new IllegalArgumentException("auth: public and private keys don't match");
                }
                return new JwtTokens(alg, privateKey == null ? null : new RSASSASigner(privateKey), new RSASSAVerifier(rp), ttl, wallMillis);
            }
            if (privateKey != null && !(privateKey instanceof ECPrivateKey)) throw new IllegalArgumentException("auth: private key is not an EC key");
            if (publicKey == null) throw new IllegalArgumentException("auth: an EC sign-method needs pub-key as well");
            if (!(publicKey instanceof ECPublicKey ep)) throw new IllegalArgumentException("auth: public key is not an EC key");
            return new JwtTokens(alg, privateKey == null ? null : new ECDSASigner((ECPrivateKey) privateKey), new ECDSAVerifier(ep), ttl, wallMillis);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("auth: " + e.getMessage(), e);
        }
    }

    @Override
    public String assign(String user, long authRevision, long index, String prefix) {
        if (signer == null) return null; // verify-only: this member cannot issue tokens
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
            .claim("username", user)
            .claim("revision", authRevision)
            .expirationTime(new Date(wallMillis.getAsLong() + ttlMillis))
            .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a JWT", e);
        }
        return jwt.serialize();
    }

    @Override
    public AuthInfo info(String token, long currentRevision) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!alg.equals(jwt.getHeader().getAlgorithm())) return null;
            if (!jwt.verify(verifier)) return null;
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            Date exp = c.getExpirationTime();
            if (exp != null && exp.getTime() <= wallMillis.getAsLong()) return null;
            Object user = c.getClaim("username");
            Object rev = c.getClaim("revision");
            if (!(user instanceof String u) || !(rev instanceof Number r)) return null;
            return new AuthInfo(u, r.longValue());
        } catch (ParseException | JOSEException | RuntimeException e) {
            return null; // tampered, truncated, wrong key: simply not a valid token
        }
    }

    private static byte[] read(String file) {
        if (file == null || file.isEmpty()) return null;
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("auth: cannot read key file " + file + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(byte[] pem) {
        Object o = pemObject(pem);
        try {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            // an "EC PRIVATE KEY" may come without its public half
            if (o instanceof PEMKeyPair kp) return conv.getPrivateKey(kp.getPrivateKeyInfo());
            if (o instanceof PrivateKeyInfo pk) return conv.getPrivateKey(pk);
        } catch (IOException e) {
            throw new IllegalArgumentException("auth: bad private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("auth: priv-key holds no private key");
    }

    private static PublicKey publicKey(byte[] pem) {
        Object o = pemObject(pem);
        try {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof SubjectPublicKeyInfo spki) return conv.getPublicKey(spki);
            if (o instanceof X509CertificateHolder cert) return conv.getPublicKey(cert.getSubjectPublicKeyInfo());
            if (o instanceof PEMKeyPair kp) return conv.getKeyPair(kp).getPublic();
        } catch (IOException e) {
            throw new IllegalArgumentException("auth: bad public key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("auth: pub-key holds no public key or certificate");
    }

    private static Object pemObject(byte[] pem) {
        try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            Object o = p.readObject();
            if (o == null) throw new IllegalArgumentException("auth: key file is not PEM");
            return o;
        } catch (IOException e) {
            throw new IllegalArgumentException("auth: key file is not PEM: " + e.getMessage(), e);
        }
    }

    private static PublicKey rsaPublicOf(RSAPrivateKey k) {
        if (!(k instanceof RSAPrivateCrtKey crt)) throw new IllegalArgumentException("auth: RS/PS sign-method needs pub-key");
        try {
            return java.security.KeyFactory.getInstance("RSA").generatePublic(
                new java.security.spec.RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("auth: " + e.getMessage(), e);
        }
    }
}
