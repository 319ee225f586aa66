package org.initrdharness.stage1;

import com.fasterxml.jackson.annotation.JsonCreator;
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
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
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

    record Hash(String crypt) implements EmergencyAccess {
        public Hash {
            if (!crypt.startsWith("$")) {
                throw new InitrdBuildException("option emergencyAccess: '" + crypt
                        + "' is neither \"locked\", \"open\" nor a crypt(3) hash such as the output of"
                        + " `openssl passwd -6`");
            }
        }

        @Override
        public String value() {
            return crypt;
        }
    }
}
