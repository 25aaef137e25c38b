// This test has no project of its own: it builds samples/digits-classifier, copied here unchanged,
// with samples/models beside it where the sample's ../models points.
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption

def copyTree(Path from, Path to) {
  Files.walk(from).withCloseable { paths ->
    paths.forEach { p ->
      def dest = to.resolve(from.relativize(p).toString())
      if (Files.isDirectory(p)) {
        if (!p.getFileName().toString().equals('target')) {
          Files.createDirectories(dest)
        }
      } else if (!from.relativize(p).toString().startsWith('target')) {
        Files.createDirectories(dest.parent)
        Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING)
      }
    }
  }
}

def samples = Path.of(kilnRoot, 'samples')
copyTree(samples.resolve('digits-classifier'), basedir.toPath())
copyTree(samples.resolve('models'), basedir.toPath().resolveSibling('models'))
return true
