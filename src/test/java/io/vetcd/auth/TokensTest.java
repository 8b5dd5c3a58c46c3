package io.vetcd.auth;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokensTest {
    @TempDir
    Path dir;

    @Test
    void simpleTokensExpireWithoutUseAndUseRenewsThem() {
        AtomicLong now = new AtomicLong(0);
        SimpleTokens t = new SimpleTokens(10, now::get);
        t.enable();
        String tok = t.assign("alice", 3, 42, t.newPrefix());
        assertEquals(42, t.createdAt(tok));
        assertEquals(new AuthInfo("alice", 7), t.info(tok, 7), "the revision is the store's current one");
        now.set(9_000_000_000L);
        assertNotNull(t.info(tok, 7), "used at 9 s: renewed to 19 s");
        now.set(18_000_000_000L);
        assertNotNull(t.info(tok, 7));
        now.set(29_000_000_000L);
        assertNull(t.info(tok, 7), "11 s without use");
    }

    @Test
    void simpleTokensDieWithTheirUserOrWhenAuthIsTurnedOff() {
        SimpleTokens t = new SimpleTokens(300, System::nanoTime);
        t.enable();
        String a = t.assign("alice", 1, 5, t.newPrefix());
        String b = t.assign("bob", 1, 6, t.newPrefix());
        t.invalidateUser("alice");
        assertNull(t.info(a, 1));
        assertNotNull(t.info(b, 1));
        t.disable();
        assertNull(t.info(b, 1));
        assertEquals(-1, t.createdAt("no-dot"));
        assertEquals(-1, t.createdAt("a.b.c"));
    }

    @Test
    void rsaJwtCarriesUserAndRevisionAndRejectsTamperingAndExpiry() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        Path priv = write("priv.pem", kp.getPrivate());
        Path cert = write("cert.pem", selfSigned(kp, "SHA256withRSA"));
        AtomicLong wall = new AtomicLong(1_000_000L);
        JwtTokens t = JwtTokens.fromOptions(Map.of("sign-method", "RS256", "priv-key", priv.toString(),
            "pub-key", cert.toString(), "ttl", "1s"), wall::get);
        String tok = t.assign("root", 12, 0, "");
        assertEquals(new AuthInfo("root", 12), t.info(tok, 99), "a JWT's revision is its own claim");
        String[] parts = tok.split("\\.");
        String forged = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
        assertNull(t.info(forged, 99));
        assertNull(t.info("garbage", 99));
        wall.addAndGet(1_001);
        assertNull(t.info(tok, 99), "expired after its ttl");

        JwtTokens verifyOnly = JwtTokens.fromOptions(Map.of("sign-method", "RS256", "pub-key", cert.toString()), wall::get);
        assertNull(verifyOnly.assign("root", 1, 0, ""), "a member with only the public key cannot issue tokens");
        wall.set(1_000_000L);
        assertEquals(new AuthInfo("root", 12), verifyOnly.info(tok, 1), "but verifies what others issued");
    }

    @Test
    void ecAndHmacJwtsWork() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        JwtTokens ec = JwtTokens.fromOptions(Map.of("sign-method", "ES256", "priv-key", write("ec.pem", new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(), null)).toString(),
            "pub-key", write("ecpub.pem", kp.getPublic()).toString()), System::currentTimeMillis);
        assertEquals("u", ec.info(ec.assign("u", 3, 0, ""), 3).username());

        Path secret = dir.resolve("secret");
        Files.write(secret, "0123456789abcdef0123456789abcdef".getBytes());
        JwtTokens hs = JwtTokens.fromOptions(Map.of("sign-method", "HS256", "priv-key", secret.toString()), System::currentTimeMillis);
        assertEquals(new AuthInfo("u", 3), hs.info(hs.assign("u", 3, 0, ""), 3));
        assertNull(ec.info(hs.assign("u", 3, 0, ""), 3), "another algorithm's token");

        assertThrows(IllegalArgumentException.class, () -> JwtTokens.fromOptions(Map.of("sign-method", "XX1"), System::currentTimeMillis));
        assertThrows(IllegalArgumentException.class, () -> JwtTokens.fromOptions(Map.of("sign-method", "RS256"), System::currentTimeMillis));
    }

    private Path write(String name, Object pemObject) throws Exception {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(pemObject);
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sw.toString());
        return p;
    }

    private static java.security.cert.X509Certificate selfSigned(KeyPair kp, String alg) throws Exception {
        X500Name n = new X500Name("CN=test");
        var b = new JcaX509v3CertificateBuilder(n, BigInteger.ONE, new Date(0), new Date(4_000_000_000_000L), n, kp.getPublic());
        return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
            .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(kp.getPrivate())));
    }
}
