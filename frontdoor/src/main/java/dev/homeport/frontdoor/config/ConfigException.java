package dev.homeport.frontdoor.config;

/** A configuration value that stops start-up; the message names the key and the fix. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
