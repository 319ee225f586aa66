package org.initrdharness.stage1;

import com.fasterxml.jackson.annotation.JsonValue;
import org.initrdharness.initrd.InitrdBuildException;

/**
 * Who may use the emergency and rescue shells. In JSON: "locked", "open" or the hash itself.
 */
public sealed interface EmergencyAccess {
    /** sulogin refuses and says the root account is locked. */
    EmergencyAccess LOCKED = new Locked();
    /** A root shell on the console without a password. */
    EmergencyAccess OPEN = new Open();

    /** sulogin asks for the password of this crypt(3) hash, e.g. from `openssl passwd -6`. */
    static EmergencyAccess hash(String crypt) {
        return new Hash(crypt);
    }

    /** Reads the JSON form. */
    static EmergencyAccess of(String value) {
        return switch (value) {
            case "locked" -> LOCKED;
            case "open" -> OPEN;
            default -> new Hash(value);
        };
    }

    /** The JSON form. */
    @JsonValue
    String value();

    record Locked() implements EmergencyAccess {
        @Override
        public String value() {
            return "locked";
        }
    }

    record Open() implements EmergencyAccess {
        @Override
        public String value() {
            return "open";
        }
    }

    /**
     * The crypt(3) formats glibc and libxcrypt check (md5, sha256, sha512 with optional rounds,
     * bcrypt, yescrypt, gost-yescrypt), whole: anything else in /etc/shadow is a password nobody
     * can type, or a way to write more fields.
     */
    java.util.regex.Pattern CRYPT = java.util.regex.Pattern.compile(
            "\\$1\\$[./0-9A-Za-z]{1,8}\\$[./0-9A-Za-z]{22}"
            + "|\\$5\\$(rounds=[0-9]{1,9}\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{43}"
            + "|\\$6\\$(rounds=[0-9]{1,9}\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{86}"
            + "|\\$2[abxy]\\$[0-9]{2}\\$[./0-9A-Za-z]{53}"
            + "|\\$(y|gy)\\$[./0-9A-Za-z]+\\$[./0-9A-Za-z]{1,86}\\$[./0-9A-Za-z]{43}");

    record Hash(String crypt) implements EmergencyAccess {
        public Hash {
            if (crypt == null || !CRYPT.matcher(crypt).matches()) {
                String shown = crypt == null ? "null" : crypt.length() > 40 ? crypt.substring(0, 20) + "..." : crypt;
                throw new InitrdBuildException("option emergencyAccess: '" + shown.replaceAll("[\\x00-\\x1f]", "?")
                        + "' is neither \"locked\", \"open\" nor a whole crypt(3) hash ($6$salt$86 characters,"
                        + " $y$..., $2b$...) such as the output of `openssl passwd -6` or `mkpasswd`");
            }
        }

        @Override
        public String value() {
            return crypt;
        }
    }
}
