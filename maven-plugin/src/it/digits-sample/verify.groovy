// The generated classifier reaches the trained model's accuracy on the 360 held-out images
// (99.7%: 359 correct) and reports a latency; the README promises both.
def log = new File(basedir, 'build.log').text
assert log.contains('Kiln: digits_cnn.onnx -> dev.kiln.samples.digits.DigitsCnn (java;')
def accuracy = (log =~ /accuracy: ([0-9.]+)% \((\d+) of 360 correct\)/)
assert accuracy.find() : 'no accuracy line in the sample output'
assert accuracy.group(1) == '99.72'
assert accuracy.group(2) == '359'
assert log =~ /latency per image: mean [0-9.]+ us, median [0-9.]+ us/
return true
