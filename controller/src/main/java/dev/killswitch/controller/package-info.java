/** The killswitch controller CLI. */
package dev.killswitch.controller;
